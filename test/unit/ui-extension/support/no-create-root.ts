/** Stands in for react-dom/client under React 16, which has none; render.tsx never calls it there. */
export function createRoot(): never {
  throw new Error('react-dom/client does not exist in React 16');
}
