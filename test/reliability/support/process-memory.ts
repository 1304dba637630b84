/** @module The resident memory of a process on this machine, read from /proc (Linux). */
import { readFileSync } from 'node:fs';

/** VmRSS of `pid`, in bytes. */
export function rss(pid: number): number {
  const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) * 1024;
}
