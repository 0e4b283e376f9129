// Child process: takes SQLite's write lock on argv[2] (BEGIN IMMEDIATE), says "locked", holds it for argv[3] ms.
import Database from "better-sqlite3";

const db = new Database(process.argv[2]);
db.exec("BEGIN IMMEDIATE");
process.stdout.write("locked\n");
setTimeout(() => {
  db.exec("COMMIT");
  db.close();
}, Number(process.argv[3] ?? 500));
