#!/usr/bin/env node
// Writes the JSON schemas kubeconform validates rendered manifests against, so CI needs no network.
//
//   node scripts/k8s-tools/vendor-schemas.mjs core <kubernetes-validate wheel dir> <k8s version> <kind-file>...
//     inlines the "local-strict" schemas shipped by the PyPI package kubernetes-validate into
//     kubeconform's standalone-strict layout: <out>/v<version>-standalone-strict/<kind>-<suffix>.json
//   node scripts/k8s-tools/vendor-schemas.mjs crd <crd.yaml>...
//     converts CustomResourceDefinitions openapi2jsonschema-style (strict: additionalProperties
//     false unless the CRD preserves unknown fields) into <out>/crds/<group>/<kind>_<version>.json
//
// Output goes to test/charts/schemas (override with SCHEMAS_DIR). Record each source in its README.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const out = process.env.SCHEMAS_DIR ?? join(root, 'test/charts/schemas');

function writeJson(file, value) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
  console.log(`vendor-schemas: wrote ${file.slice(root.length + 1)}`);
}

function inlineCore(wheelDir, version, kindFiles) {
  const dir = join(wheelDir, `kubernetes_validate/kubernetes-json-schema/v${version}-local-strict`);
  const definitions = JSON.parse(readFileSync(join(dir, '_definitions.json'), 'utf8')).$defs;
  const inline = (node, seen) => {
    if (Array.isArray(node)) return node.map((item) => inline(item, seen));
    if (node === null || typeof node !== 'object') return node;
    if (typeof node.$ref === 'string') {
      const name = node.$ref.split('#/$defs/')[1];
      if (!name || !definitions[name]) throw new Error(`unresolvable $ref ${node.$ref}`);
      if (seen.has(name)) throw new Error(`recursive definition ${name}: cannot inline`);
      return inline(definitions[name], new Set([...seen, name]));
    }
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, inline(v, seen)]));
  };
  for (const kindFile of kindFiles) {
    const schema = JSON.parse(readFileSync(join(dir, kindFile), 'utf8'));
    writeJson(join(out, `v${version}-standalone-strict`, kindFile), inline(schema, new Set()));
  }
}

// openapi2jsonschema's strict conversion, as kubeconform's own script does it.
function strictify(node) {
  if (Array.isArray(node)) return node.map(strictify);
  if (node === null || typeof node !== 'object') return node;
  const result = {};
  for (const [key, value] of Object.entries(node)) {
    // `properties` maps field names to schemas: recurse into each schema, never treat the map as one.
    result[key] =
      key === 'properties'
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, strictify(v)]))
        : strictify(value);
  }
  if (result['x-kubernetes-int-or-string'] === true) {
    delete result.type;
    result.oneOf = [{ type: 'string' }, { type: 'integer' }];
  }
  if (
    result.properties &&
    result.additionalProperties === undefined &&
    result['x-kubernetes-preserve-unknown-fields'] !== true
  ) {
    result.additionalProperties = false;
  }
  return result;
}

function convertCrds(files) {
  for (const file of files) {
    for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
      const crd = doc.toJS();
      if (crd?.kind !== 'CustomResourceDefinition') continue;
      const { group, names, versions } = crd.spec;
      for (const version of versions) {
        const schema = version.schema?.openAPIV3Schema;
        if (!schema) throw new Error(`${crd.metadata.name} ${version.name} has no openAPIV3Schema`);
        const strict = strictify(schema);
        // kubeconform passes apiVersion and kind through the schema: pin them like openapi2jsonschema.
        // Some CRDs leave metadata out of their schema (the API server always has it): allow it.
        strict.properties = {
          metadata: { type: 'object' },
          ...strict.properties,
          apiVersion: { type: 'string', enum: [`${group}/${version.name}`] },
          kind: { type: 'string', enum: [names.kind] },
        };
        writeJson(
          join(out, 'crds', group, `${names.kind.toLowerCase()}_${version.name}.json`),
          strict,
        );
      }
    }
  }
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'core' && args.length >= 3) inlineCore(args[0], args[1], args.slice(2));
else if (mode === 'crd' && args.length >= 1) convertCrds(args);
else {
  console.error(
    'usage: vendor-schemas.mjs core <wheel dir> <k8s version> <kind-file>... | crd <crd.yaml>...',
  );
  process.exit(2);
}
