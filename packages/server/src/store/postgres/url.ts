/**
 * A database URL selects the PostgreSQL store when it has one of these schemes (anything else is a SQLite
 * path). Apart from the store, so telling the two apart does not load the `pg` client.
 */
export function isPostgresUrl(db: string): boolean {
  return /^postgres(ql)?:\/\//i.test(db);
}
