// Regenerates Pulumi.yaml's config schema from components/config-schema.ts (a unit test checks they agree).
import { readFileSync, writeFileSync } from "node:fs";
import { parseDocument } from "yaml";
import { projectConfigBlock } from "../components/config-doc";

const doc = parseDocument(readFileSync("Pulumi.yaml", "utf8"));
const name = String(doc.get("name"));
doc.set("config", projectConfigBlock(name));
writeFileSync("Pulumi.yaml", doc.toString({ lineWidth: 0 }));
