// The event catalog's files and what is generated from them.
//   node scripts/catalog.mjs types           shared/events/src/generated/catalog.ts from the schema files
//   node scripts/catalog.mjs                 types, build, then the chart's AsyncAPI document (npm run catalog)
//   node scripts/catalog.mjs check           fails when a generated file is stale or a schema breaks
//                                            its published version (npm run catalog:check)
//   node scripts/catalog.mjs publish         records every changed schema in shared/events/published,
//                                            refusing a breaking change without a version bump
//   node scripts/catalog.mjs import FILE...  turns a file of defineEvent(...) definitions into schema
//                                            files, removes them from it, and publishes them
// Options: --root DIR (a copy of the repository, for tests).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const rootAt = args.indexOf('--root');
const root = path.resolve(
  rootAt >= 0
    ? args.splice(rootAt, 2)[1]
    : path.join(path.dirname(fileURLToPath(import.meta.url)), '..'),
);
const [command = 'generate', ...files] = args;
const require = createRequire(path.join(root, 'package.json'));
const events = path.join(root, 'shared/events');
const schemasDir = path.join(events, 'schemas');
const publishedDir = path.join(events, 'published');
const generatedFile = path.join(events, 'src/generated/catalog.ts');
const chartFile = path.join(root, 'charts/eventline/files/asyncapi.json');
const DIALECT = 'https://json-schema.org/draft/2020-12/schema';
const BASE = 'https://eventline.dev/schemas/';

const fail = (message) => {
  console.error(`catalog: ${message}`);
  process.exit(1);
};
const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));
const relative = (file) => path.relative(root, file);
const versionOf = (schema, file) => {
  const match = /^https:\/\/eventline\.dev\/schemas\/(.+)\/v([1-9][0-9]*)\.json$/.exec(
    schema.$id ?? '',
  );
  if (!match) fail(`${relative(file)}: $id must be ${BASE}<type>/v<N>.json, not ${schema.$id}`);
  return { type: match[1], version: Number(match[2]) };
};
const build = (...projects) =>
  execFileSync(require.resolve('typescript/bin/tsc'), ['-b', ...projects], {
    cwd: root,
    stdio: 'inherit',
  });

/** Every type's current schema (shared/events/schemas) and its published versions. */
function readCatalog() {
  mkdirSync(schemasDir, { recursive: true });
  const types = readdirSync(schemasDir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const file = path.join(schemasDir, f);
      const schema = readJson(file);
      const { type, version } = versionOf(schema, file);
      if (f !== `${type}.json`)
        fail(`${relative(file)}: a schema of ${type} belongs in ${type}.json`);
      if (schema.$schema !== DIALECT) fail(`${relative(file)}: $schema must be ${DIALECT}`);
      if (!/^[A-Z][A-Za-z0-9]*$/.test(schema.title ?? ''))
        fail(`${relative(file)}: title must be the definition's name, e.g. OrderPlaced`);
      const dir = path.join(publishedDir, type);
      const published = new Map(
        (existsSync(dir) ? readdirSync(dir) : []).map((v) => {
          const schema = readJson(path.join(dir, v));
          return [versionOf(schema, path.join(dir, v)).version, schema];
        }),
      );
      return { type, version, schema, file, published };
    });
  const titles = new Map();
  for (const t of types) {
    if (titles.has(t.schema.title))
      fail(`${t.schema.title} names both ${titles.get(t.schema.title)} and ${t.type}`);
    titles.set(t.schema.title, t.type);
  }
  return types;
}

/** The versions a type's definition carries: the published ones before the current, then it. */
function versionsOf(t) {
  const versions = [];
  for (let v = 1; v < t.version; v += 1) {
    const old = t.published.get(v);
    if (!old)
      fail(
        `${t.type} is at v${t.version}, but v${v} is not in ${relative(publishedDir)}/${t.type}`,
      );
    versions.push(old);
  }
  return [...versions, t.schema];
}

async function format(text, parser) {
  const prettier = await import('prettier');
  const options = (await prettier.resolveConfig(path.join(root, 'package.json'))) ?? {};
  return prettier.format(text, { ...options, parser });
}

async function generatedTypes(types) {
  const definitions = types.map((t) => {
    const doc = t.schema.description
      ? `/** ${t.schema.description.replaceAll('*/', '*\\/')} */\n`
      : '';
    const literal = versionsOf(t)
      .map((s) => JSON.stringify(s))
      .join(',\n');
    return `${doc}export const ${t.schema.title} = catalogEvent(${JSON.stringify(t.type)}, [${literal}] as const);\n`;
  });
  return format(
    [
      '// Generated by `npm run catalog` from shared/events/schemas and shared/events/published: edit',
      '// those files, then run it (see README, "Changing an event schema").',
      "import { catalogEvent, type EventDefinition } from '../define';",
      '',
      ...definitions,
      '',
      '/** Every CloudEvent type of the catalog. */',
      `export const generatedCatalog: EventDefinition[] = [${types.map((t) => t.schema.title).join(', ')}];`,
      '',
    ].join('\n'),
    'typescript',
  );
}

async function chartDocument() {
  const { catalogDocument } = require(path.join(root, 'shared/runtime/dist/catalog.js'));
  const { loadRouting } = require(path.join(root, 'shared/routing/dist/index.js'));
  const routing = loadRouting(path.join(root, 'charts/eventline/routing.yaml'));
  // The chart's namespace is the release's; the document names the one `helm install` defaults to.
  return format(JSON.stringify(catalogDocument(routing, { namespace: 'eventline' })), 'json');
}

function write(file, text) {
  mkdirSync(path.dirname(file), { recursive: true });
  if (existsSync(file) && readFileSync(file, 'utf8') === text) return;
  writeFileSync(file, text);
  console.error(`catalog: wrote ${relative(file)}`);
}

/** What a schema's change breaks, against its latest published version. */
function compatibility(t) {
  const { publicationState } = require(path.join(events, 'dist/compatibility.js'));
  return publicationState(t.type, t.schema, t.published);
}

async function publish(types) {
  const problems = types.flatMap((t) => compatibility(t).problems ?? []);
  if (problems.length > 0) fail(`refused, nothing published:\n  ${problems.join('\n  ')}`);
  for (const t of types)
    write(
      path.join(publishedDir, t.type, `v${t.version}.json`),
      await format(JSON.stringify(t.schema), 'json'),
    );
}

async function generate() {
  const types = readCatalog();
  write(generatedFile, await generatedTypes(types));
  if (command === 'types') return;
  build('shared/runtime');
  write(chartFile, await chartDocument());
}

async function check() {
  const types = readCatalog();
  const problems = [];
  for (const t of types) {
    const { state, problems: broken } = compatibility(t);
    if (broken) problems.push(...broken);
    else if (state !== 'published')
      problems.push(
        `${t.type} v${t.version} is ${state} but not published: run npm run catalog:publish`,
      );
  }
  const stale = [
    [generatedFile, await generatedTypes(types)],
    [chartFile, await chartDocument()],
  ].filter(([file, text]) => !existsSync(file) || readFileSync(file, 'utf8') !== text);
  for (const [file] of stale) problems.push(`${relative(file)} is stale: run npm run catalog`);
  if (problems.length > 0) fail(problems.join('\n  '));
  console.error(`catalog: ${types.length} types, each published and generated`);
}

/** Imports of `module` in `file` whose names are definitions move to the generated module. */
function moveImports(ts, file, module, names) {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const generated =
    `./${path.relative(path.dirname(file), generatedFile.replace(/\.ts$/, '')).split(path.sep).join('/')}`
      .replace('././', './')
      .replace('./../', '../');
  const edits = [];
  for (const statement of source.statements) {
    const isImport = ts.isImportDeclaration(statement);
    if (!(isImport || ts.isExportDeclaration(statement)) || !statement.moduleSpecifier) continue;
    const target = path.resolve(path.dirname(file), statement.moduleSpecifier.text);
    if (target !== module) continue;
    const elements = isImport
      ? statement.importClause?.namedBindings?.elements
      : statement.exportClause?.elements;
    if (!elements) continue;
    const name = (e) => (e.propertyName ?? e.name).text;
    const moved = elements.filter((e) => names.has(name(e)));
    if (moved.length === 0) continue;
    const kept = elements.filter((e) => !names.has(name(e)));
    const keyword = isImport ? 'import' : 'export';
    const clause = (list) => `{ ${list.map((e) => e.getText(source)).join(', ')} }`;
    const replacement = [
      `${keyword} ${clause(moved)} from '${generated}';`,
      ...(kept.length > 0
        ? [`${keyword} ${clause(kept)} from '${statement.moduleSpecifier.text}';`]
        : []),
    ].join('\n');
    edits.push([statement.getStart(source), statement.getEnd(), replacement]);
  }
  if (edits.length === 0) return;
  let out = text;
  for (const [start, end, replacement] of edits.reverse())
    out = out.slice(0, start) + replacement + out.slice(end);
  writeFileSync(file, out);
  console.error(
    `catalog: ${relative(file)} imports ${[...names].join(', ')} from the generated catalog`,
  );
}

/** Removes the definitions, then what only they used, from a module; deletes it if nothing is left. */
function removeDefinitions(ts, file, names) {
  let text = readFileSync(file, 'utf8');
  for (;;) {
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    // Identifiers outside the statement, so a name in a comment does not count as a use.
    const used = (declName, statement) => {
      let found = false;
      const visit = (node) => {
        if (found || node === statement) return;
        if (ts.isIdentifier(node) && node.text === declName) found = true;
        else ts.forEachChild(node, visit);
      };
      visit(source);
      return found;
    };
    const removable = source.statements.find((statement) => {
      if (ts.isVariableStatement(statement)) {
        const declared = statement.declarationList.declarations.map((d) => d.name.getText(source));
        const exported = statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
        if (exported) return declared.every((n) => names.has(n));
        return declared.every((n) => !used(n, statement));
      }
      if (ts.isFunctionDeclaration(statement) && statement.name)
        return (
          !statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) &&
          !used(statement.name.text, statement)
        );
      if (ts.isImportDeclaration(statement)) {
        const bindings = statement.importClause?.namedBindings?.elements ?? [];
        return bindings.length > 0 && bindings.every((b) => !used(b.name.text, statement));
      }
      return false;
    });
    if (!removable) break;
    text = text.slice(0, removable.getFullStart()) + text.slice(removable.getEnd());
  }
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  if (source.statements.length === 0) {
    rmSync(file);
    console.error(`catalog: removed ${relative(file)}: its definitions are schema files now`);
    return;
  }
  const identifiers = new Set();
  const collect = (node) => {
    if (ts.isIdentifier(node)) identifiers.add(node.text);
    ts.forEachChild(node, collect);
  };
  collect(source);
  const left = [...names].filter((n) => identifiers.has(n));
  if (left.length > 0) text = `import { ${left.join(', ')} } from './generated/catalog';\n${text}`;
  writeFileSync(file, `${text.trim()}\n`);
  console.error(`catalog: ${relative(file)} keeps what is not a definition`);
}

/** The JSDoc above each exported definition, which becomes its schema's description. */
function docsOf(ts, file) {
  const source = ts.createSourceFile(
    file,
    readFileSync(file, 'utf8'),
    ts.ScriptTarget.Latest,
    true,
  );
  const docs = new Map();
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    const comment = ts
      .getJSDocCommentsAndTags(statement.declarationList.declarations[0])
      .find(ts.isJSDoc);
    const text = typeof comment?.comment === 'string' ? comment.comment : undefined;
    for (const d of statement.declarationList.declarations)
      if (text) docs.set(d.name.getText(source), text.replace(/\s+/g, ' ').trim());
  }
  return docs;
}

async function importFiles() {
  if (files.length === 0)
    fail('import: name the files, e.g. npm run catalog:import -- shared/events/src/retail.ts');
  const ts = require('typescript');
  build('shared/events');
  const srcDir = path.join(events, 'src');
  for (const given of files) {
    const file = path.resolve(given);
    if (path.dirname(file) !== srcDir || !file.endsWith('.ts'))
      fail(`import: ${given} is not a module of shared/events/src`);
    const compiled = path.join(events, 'dist', `${path.basename(file, '.ts')}.js`);
    const exports = require(compiled);
    const definitions = Object.entries(exports).filter(
      ([, value]) =>
        value &&
        typeof value === 'object' &&
        typeof value.type === 'string' &&
        'schema' in value &&
        Array.isArray(value.versions),
    );
    if (definitions.length === 0) fail(`import: ${given} exports no event definition`);
    const docs = docsOf(ts, file);
    for (const [name, definition] of definitions) {
      const target = path.join(schemasDir, `${definition.type}.json`);
      if (existsSync(target))
        fail(`import: ${definition.type} (${name}) already has ${relative(target)}`);
      const { $schema: _s, $id: _i, ...schema } = definition.schema;
      const described = docs.get(name);
      const file = { $schema: DIALECT, $id: `${BASE}${definition.type}/v1.json`, title: name };
      write(
        target,
        await format(
          JSON.stringify({ ...file, ...(described ? { description: described } : {}), ...schema }),
          'json',
        ),
      );
    }
    const names = new Set(definitions.map(([name]) => name));
    for (const other of readdirSync(srcDir)
      .filter((f) => f.endsWith('.ts'))
      .map((f) => path.join(srcDir, f)))
      if (other !== file) moveImports(ts, other, file.replace(/\.ts$/, ''), names);
    removeDefinitions(ts, file, names);
  }
  for (const edited of readdirSync(srcDir).filter((f) => f.endsWith('.ts')))
    write(
      path.join(srcDir, edited),
      await format(readFileSync(path.join(srcDir, edited), 'utf8'), 'typescript'),
    );
  await publish(readCatalog());
  await generate();
}

const commands = {
  generate,
  types: generate,
  check,
  publish: async () => {
    await publish(readCatalog());
    await generate();
  },
  import: importFiles,
};
if (!commands[command])
  fail(`unknown command ${command}; one of ${Object.keys(commands).join(', ')}`);
await commands[command]();
