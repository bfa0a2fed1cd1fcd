/** The user guide (docs/USER-GUIDE.md) with its images pointed at the bundled copies. */
export function withImages(markdown: string, images: Record<string, string>): string {
  return markdown.replace(/\]\(images\/([A-Za-z0-9._-]+)\)/g, (m, name: string) =>
    images[name] ? `](${images[name]})` : m
  );
}
