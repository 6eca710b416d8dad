import type { PlatformDefinition } from "../definition.ts";
import { backupApp } from "./backup.ts";
import { catalogApp } from "./catalog.ts";
import { databaseApp } from "./database.ts";
import { guardrailsApp } from "./guardrails.ts";
import { monitoringApp } from "./monitoring.ts";
import type { App } from "./objects.ts";
import { secretsApp } from "./secrets.ts";
import { sparkOperatorApp } from "./spark-operator.ts";
import { sparkApp } from "./spark.ts";
import { storageApp } from "./storage.ts";
import { trinoApp } from "./trino.ts";

/** Every application of the platform, in dependency order (each app's dependsOn come before it). */
export function platformApps(p: PlatformDefinition): App[] {
  return [
    guardrailsApp(p),
    storageApp(p),
    secretsApp(p),
    databaseApp(p),
    catalogApp(p),
    backupApp(p),
    sparkOperatorApp(p),
    sparkApp(p),
    trinoApp(p),
    monitoringApp(p),
  ];
}
