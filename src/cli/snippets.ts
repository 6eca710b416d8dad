/**
 * The ready-to-paste client configurations `floe up` prints (see the interop notes). Only faces
 * the running server actually serves are shown: the caller probes the routes first.
 */

/** Iceberg 1.11 is the last release that ships NessieCatalog; Spark 3.5 runs it on Java 17. */
export const ICEBERG_SPARK_RUNTIME = "org.apache.iceberg:iceberg-spark-runtime-3.5_2.12:1.11.0";
export const NESSIE_SPARK_EXTENSIONS =
  "org.projectnessie.nessie-integrations:nessie-spark-extensions-3.5_2.12:0.99.0";

export interface SnippetInput {
  /** Base URL of the server, e.g. http://127.0.0.1:19120. */
  readonly url: string;
  readonly branch: string;
  /** The warehouse as engines address it: file:///… or s3://…. */
  readonly warehouse: string;
  /** Whether the server answers the Nessie API v2 (`/api/v2/config`). */
  readonly nessie: boolean;
  /** Whether the server answers Iceberg REST (`/iceberg/{ref}/v1/config`). */
  readonly icebergRest: boolean;
}

export interface Snippet {
  readonly title: string;
  readonly lines: readonly string[];
}

export function connectionSnippets(s: SnippetInput): Snippet[] {
  const nessieUri = `${s.url}/api/v2`;
  const restUri = `${s.url}/iceberg/${s.branch}`;
  const out: Snippet[] = [];
  if (s.nessie) {
    out.push({ title: "Nessie API v2 (Nessie's Java client, the floe CLI)", lines: [nessieUri] });
  }
  if (s.icebergRest) {
    out.push({
      title: "Spark, Iceberg REST",
      lines: shell("spark-sql", [
        `--packages ${ICEBERG_SPARK_RUNTIME}`,
        "--conf spark.sql.extensions=org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions",
        "--conf spark.sql.catalog.floe=org.apache.iceberg.spark.SparkCatalog",
        "--conf spark.sql.catalog.floe.type=rest",
        `--conf spark.sql.catalog.floe.uri=${restUri}`,
      ]),
    });
  }
  if (s.nessie) {
    out.push({
      title: "Spark, NessieCatalog (CREATE BRANCH, USE REFERENCE, MERGE BRANCH … IN nessie)",
      lines: shell("spark-sql", [
        `--packages ${ICEBERG_SPARK_RUNTIME},${NESSIE_SPARK_EXTENSIONS}`,
        "--conf spark.sql.extensions=org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions,org.projectnessie.spark.extensions.NessieSparkSessionExtensions",
        "--conf spark.sql.catalog.nessie=org.apache.iceberg.spark.SparkCatalog",
        "--conf spark.sql.catalog.nessie.catalog-impl=org.apache.iceberg.nessie.NessieCatalog",
        `--conf spark.sql.catalog.nessie.uri=${nessieUri}`,
        `--conf spark.sql.catalog.nessie.ref=${s.branch}`,
        // the Nessie SQL extensions build their own client, API v1 unless told (docs/engines/spark.md)
        "--conf spark.sql.catalog.nessie.client-api-version=2",
        `--conf spark.sql.catalog.nessie.warehouse=${s.warehouse}`,
      ]),
    });
  }
  const localWarehouse = s.warehouse.startsWith("file:");
  const trinoNote = localWarehouse
    ? ["# the warehouse is a local directory: Trino must run on this machine with local file access"]
    : [];
  if (s.icebergRest) {
    out.push({
      title: "Trino, Iceberg REST (etc/catalog/floe.properties)",
      lines: [
        "connector.name=iceberg",
        "iceberg.catalog.type=rest",
        `iceberg.rest-catalog.uri=${restUri}`,
        ...trinoNote,
      ],
    });
  }
  if (s.nessie) {
    out.push({
      title: `Trino, Nessie catalog (etc/catalog/${s.icebergRest ? "floe_nessie" : "floe"}.properties)`,
      lines: [
        "connector.name=iceberg",
        "iceberg.catalog.type=nessie",
        `iceberg.nessie-catalog.uri=${nessieUri}`,
        `iceberg.nessie-catalog.ref=${s.branch}`,
        `iceberg.nessie-catalog.default-warehouse-dir=${s.warehouse}`,
        ...trinoNote,
      ],
    });
  }
  if (s.icebergRest) {
    out.push({
      title: "pyiceberg",
      lines: [
        "from pyiceberg.catalog import load_catalog",
        `catalog = load_catalog("floe", type="rest", uri="${restUri}")`,
      ],
    });
    out.push({
      title: "DuckDB",
      lines: [
        "INSTALL iceberg; LOAD iceberg;",
        `ATTACH 'warehouse' AS floe (TYPE iceberg, ENDPOINT '${restUri}', AUTHORIZATION_TYPE 'none');`,
      ],
    });
  }
  return out;
}

function shell(command: string, args: readonly string[]): string[] {
  return [`${command} \\`, ...args.map((a, i) => `  ${a}${i < args.length - 1 ? " \\" : ""}`)];
}
