// Child process: takes SQLite's write lock on argv[2] (BEGIN IMMEDIATE), says "locked", holds it for argv[3] ms,
// then says "releasing <Date.now()>" just before it commits (so the parent can order its own events against it).
import Database from "better-sqlite3";

const db = new Database(process.argv[2]);
db.exec("BEGIN IMMEDIATE");
process.stdout.write("locked\n");
setTimeout(
  () => {
    process.stdout.write(`releasing ${Date.now()}\n`);
    db.exec("COMMIT");
    db.close();
  },
  Number(process.argv[3] ?? 500),
);
