/**
 * Credentials of queue URLs never reach logs, results or errors: {@link displayUrl} is the only
 * form of a URL that is printed, and {@link redact} removes every registered secret from text.
 */
const secrets = new Set<string>();

/** Registers the user name and password of a URL as secrets; returns the URL without them. */
export function displayUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return '<an invalid URL>';
  }
  for (const s of [u.username, u.password, decodeURIComponent(u.username), decodeURIComponent(u.password)]) if (s.length >= 1) secrets.add(s);
  return `${u.protocol}//${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname && u.pathname !== '/' ? u.pathname : ''}`;
}

/** The text with every registered secret and every credential part of a URL replaced by ***. */
export function redact(text: string): string {
  let out = text.replace(/(rediss?:\/\/)[^@\s/]*@/gi, '$1***@');
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) if (s.length >= 3) out = out.split(s).join('***');
  return out;
}
