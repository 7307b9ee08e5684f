/** Types of scripts/build-files.mjs (plain JavaScript so bin/dukaan.js can use it before any loader). */
export declare const ROOT: string;
export declare const DIST: string;
export declare const DIST_ENTRY: string;
export declare const BUILD_STAMP: string;
export declare function sourceFiles(root?: string): string[];
export declare function staleReason(root?: string): string | null;
