/** The part of Eleventy 3's programmatic API copra uses (the package ships no types). */
declare module '@11ty/eleventy' {
  export interface EleventyRunConfig {
    addGlobalData(name: string, data: unknown): void;
  }
  /** What eleventy.config.ts is handed: the part copra uses. */
  export interface EleventyUserConfig {
    addExtension(extension: string, options: object): void;
    ignores: Set<string>;
    setUseGitIgnore(use: boolean): void;
  }
  interface EleventyOptions {
    configPath?: string;
    quietMode?: boolean;
    config?: (eleventyConfig: EleventyRunConfig) => void;
  }
  export default class Eleventy {
    constructor(input: string, output: string, options?: EleventyOptions);
    disableLogger(): void;
    /** The passthrough copies, and one entry per page written. */
    write(): Promise<[unknown, unknown[]]>;
    /** Every page rendered, not written. */
    toJSON(): Promise<{ outputPath: string; content: string }[]>;
  }
}
