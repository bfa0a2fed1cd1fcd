import { withImages } from '../model/guide';

test("the guide's images point at the bundled files; others stay", () => {
  const md = '![A](images/status.png) and ![B](images/other.png) and [link](images/status.png.txt)';
  expect(withImages(md, { 'status.png': '/static/abc.png' })).toBe(
    '![A](/static/abc.png) and ![B](images/other.png) and [link](images/status.png.txt)'
  );
});
