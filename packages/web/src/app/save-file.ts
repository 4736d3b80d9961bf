/** Saves bytes as a file through the browser's own download (Blob + a temporary <a download>). */
export function saveFile(name: string, parts: BlobPart[], type = 'application/octet-stream'): void {
  const url = URL.createObjectURL(new Blob(parts, { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.appendChild(a);
  a.click();
  a.remove();
  // the download has taken its copy once click() returns; a delay keeps slow browsers safe
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
