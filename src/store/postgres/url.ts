/** Store locations that name a PostgreSQL database, and how messages show them. */

/** True for a location a PostgreSQL store serves: `postgresql://…` or `postgres://…` (libpq's two URL schemes). */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(?:ql)?:\/\//i.test(location);
}

/**
 * `url` with its password masked (`postgresql://user:***@host/db`), in the authority part and in a `password=`
 * query parameter: every message and error of a PostgreSQL store names the database this way, never with the secret.
 * The password may itself hold `@` or `/` when the user did not percent-encode it, so the authority ends at the
 * last `@` before the query string.
 */
export function redactUrl(url: string): string {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url)?.[0] ?? '';
  const rest = url.slice(scheme.length);
  const query = rest.indexOf('?');
  const head = query < 0 ? rest : rest.slice(0, query);
  const tail = query < 0 ? '' : rest.slice(query);
  const at = head.lastIndexOf('@');
  let shown = head;
  if (at >= 0) {
    const userInfo = head.slice(0, at);
    const colon = userInfo.indexOf(':');
    if (colon >= 0) shown = `${userInfo.slice(0, colon)}:***${head.slice(at)}`;
  }
  return scheme + shown + tail.replace(/([?&]password=)[^&]*/gi, '$1***');
}
