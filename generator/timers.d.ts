// Timers exist in every runtime the core runs in (Node and browsers) but not in the ES library
// the core compiles against; declare just what the core uses, so nothing else of Node or the
// DOM leaks in.
declare function setTimeout(handler: () => void, timeoutMs: number): unknown;
declare function clearTimeout(handle: unknown): void;
