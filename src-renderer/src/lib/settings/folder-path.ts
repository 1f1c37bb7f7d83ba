/**
 * A folder path typed by the user, tidied before it goes to settings.update: surrounding blanks and trailing
 * separators dropped (a root such as "/" or "C:\" stays whole). Whether the path is acceptable (absolute, no "..")
 * is the services' decision; their answer is shown as it comes. Only an empty field is refused here.
 */
export function folderPathInput(text: string): { path: string } | { error: string } {
  const trimmed = text.trim();
  if (!trimmed) return { error: 'Enter a folder path.' };
  const stripped = trimmed.replace(/[\\/]+$/, '');
  if (stripped === '' || /^[A-Za-z]:$/.test(stripped)) return { path: trimmed.slice(0, stripped.length + 1) };
  return { path: stripped };
}
