// Files the extension's bundler loads as assets (@jupyterlab/builder: .md as text, .png as a URL).
declare module '*.md' {
  const text: string;
  export default text;
}
declare module '*.png' {
  const url: string;
  export default url;
}
