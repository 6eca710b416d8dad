import { openKvStore } from "../../src/storage/open-kv.ts";
import { freshPgDatabase } from "../support/pg.ts";
import { kvContract } from "./kv-contract.ts";

kvContract("PostgreSQL", async () => openKvStore(await freshPgDatabase()));
