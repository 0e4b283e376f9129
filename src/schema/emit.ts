// `npm run schema:emit`: writes schema.graphql (run after `npm run build`: type-graphql needs tsc's metadata).
import { writeFileSync } from "node:fs";
import { cineragSchema, printSortedSchema, schemaFilePath } from "./build-schema.js";

const file = schemaFilePath();
writeFileSync(file, printSortedSchema(await cineragSchema()));
process.stdout.write(`wrote ${file}\n`);
