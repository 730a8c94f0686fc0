// Vite's `?inline` CSS import: the stylesheet as a string (used for the <cnn-lens> shadow root).
declare module '*.css?inline' {
  const css: string;
  export default css;
}
