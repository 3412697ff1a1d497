/** The PostgreSQL the tests use, for tests outside store/ (which may not import a store implementation). */
export { createTestDatabase, postgresReachable } from '../store/postgres/test-database.ts';
