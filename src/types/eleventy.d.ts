/** The part of Eleventy 3's programmatic API copra uses (the package ships no types). */
declare module '@11ty/eleventy' {
  export interface EleventyRunConfig {
    addGlobalData(name: string, data: unknown): void;
    benchmarkManager: { get(group: string): { setIsVerbose(verbose: boolean): void } };
  }
  interface EleventyOptions {
    configPath?: string;
    quietMode?: boolean;
    config?: (eleventyConfig: EleventyRunConfig) => void;
  }
  export default class Eleventy {
    constructor(input: string, output: string, options?: EleventyOptions);
    disableLogger(): void;
    write(): Promise<unknown>;
  }
}
