/** A name safe for files, terraform workspaces and object keys. */
export function safeName(id: string, max = 90): string {
  return id.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, max);
}
