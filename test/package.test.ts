/**
 * copra as people install it: `npm pack`, then `npm install ./copra-*.tgz` into an empty folder
 * that never saw the repository, and the installed command builds and serves an archive. The
 * install runs no install scripts: it is given the checkout's compiled better-sqlite3 addon
 * instead, since compiling it again cost CI three minutes, and `.ci/run`'s `npm ci` already proves
 * that an approved install compiles it.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO, STATUSDB_FIXTURE, archiveFiles, count, scratchDir } from './helpers/archive.ts';

const PACKAGE = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { name: string; version: string };
const MAX_TARBALL_BYTES = 5 * 1024 * 1024;

describe('the npm package', () => {
  const dir = scratchDir('copra-package-');
  const consumer = join(dir, 'consumer');
  let tarball = '';
  let contents: string[] = [];
  const copra = (...args: string[]) =>
    execFileSync(join(consumer, 'node_modules', '.bin', 'copra'), args, { cwd: consumer, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

  beforeAll(() => {
    // Packed from a copy, so that compiling lib/ never races the other tests running the checkout.
    const source = join(dir, 'source');
    for (const entry of ['package.json', 'package-lock.json', 'README.md', 'LICENSE', 'tsconfig.json', 'tsconfig.build.json', 'bin', 'src', 'templates']) {
      cpSync(join(REPO, entry), join(source, entry), { recursive: true });
    }
    symlinkSync(join(REPO, 'node_modules'), join(source, 'node_modules'));
    const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: source, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })) as {
      filename: string;
      files: { path: string }[];
    }[];
    tarball = join(dir, packed[0]!.filename);
    contents = packed[0]!.files.map((file) => file.path);

    // A project of the user's own that approves better-sqlite3's build, as the README says.
    mkdirSync(consumer);
    writeFileSync(join(consumer, 'package.json'), JSON.stringify({ private: true, allowScripts: { 'better-sqlite3': true } }));
    execFileSync('npm', ['install', tarball, '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: consumer, stdio: ['ignore', 'ignore', 'pipe'] });
    const addon = join('node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
    mkdirSync(dirname(join(consumer, addon)), { recursive: true });
    copyFileSync(join(REPO, addon), join(consumer, addon));
  }, 600_000);

  it('is small and holds no tests, sample data, sources or development tools', () => {
    expect(statSync(tarball).size).toBeLessThan(MAX_TARBALL_BYTES);
    expect(contents).toContain('lib/cli.js');
    expect(contents).toContain('templates/_includes/layouts/base.njk');
    expect(contents).toContain('LICENSE');
    expect(contents.filter((file) => /\.(sqlite|sql|sql\.gz)$/.test(file))).toEqual([]);
    expect(contents.filter((file) => /^(test|src|scripts|data|\.ci|lib\/generate)\//.test(file))).toEqual([]);
  });

  it('installs without the development tools and tells its version', () => {
    expect(existsSync(join(consumer, 'node_modules', 'tsx'))).toBe(false);
    expect(existsSync(join(consumer, 'node_modules', 'typescript'))).toBe(false);
    expect(copra('--version')).toBe(`${PACKAGE.name} ${PACKAGE.version}\n`);
  });

  it('builds and serves an archive', async () => {
    const out = join(consumer, 'site');
    expect(copra('build', STATUSDB_FIXTURE, '--out', out)).toMatch(/^Wrote \d+ pages/m);
    const buildPages = readdirSync(join(out, 'build')).filter((id) => existsSync(join(out, 'build', id, 'index.html')));
    expect(buildPages).toHaveLength(count(STATUSDB_FIXTURE, 'SELECT count(*) FROM builds'));
    expect(archiveFiles(out)).toContain('assets/copra.css');

    const port = 20000 + (process.pid % 20000);
    const server: ChildProcess = spawn(join(consumer, 'node_modules', '.bin', 'copra'), ['serve', out, '--port', String(port)], { cwd: consumer, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve, reject) => {
        server.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('Serving') && resolve());
        server.once('exit', (code) => reject(new Error(`copra serve exited with code ${code}`)));
      });
      const home = await fetch(`http://127.0.0.1:${port}/`);
      expect(home.status).toBe(200);
      expect(await home.text()).toContain('<title>');
      expect((await fetch(`http://127.0.0.1:${port}/build/1/`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/no/such/page/`)).status).toBe(404);
    } finally {
      server.kill();
    }
  }, 120_000);
});
