// Builds the front-end bundle that the server embeds: src/main.js -> dist/app.js and
// src/app.css -> dist/app.css, minified, without source maps. Same inputs, same bytes.
//
//   node build.mjs           write dist/
//   node build.mjs --check   build in memory and compare with dist/; exit 1 when dist/ is stale

import { readFile, readdir, mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

import * as esbuild from 'esbuild'

const webDir = path.dirname(fileURLToPath(import.meta.url))
const distDir = path.join(webDir, 'dist')

/** esbuild options; everything that affects the output is here and nowhere else. */
const options = {
  absWorkingDir: webDir,
  entryPoints: [
    { in: 'src/main.js', out: 'app' },
    { in: 'src/app.css', out: 'app' }
  ],
  outdir: distDir,
  bundle: true,
  format: 'iife',
  platform: 'browser',
  // Browsers of the last few years; CodeMirror 6 and Yjs need nothing older.
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  minify: true,
  sourcemap: false,
  // Keep the libraries' license headers (all MIT) at the end of the file.
  legalComments: 'eof',
  charset: 'utf8',
  write: false,
  logLevel: 'silent'
}

async function build () {
  const result = await esbuild.build(options)
  if (result.warnings.length > 0) {
    const text = await esbuild.formatMessages(result.warnings, { kind: 'warning', color: false })
    throw new Error(`esbuild warnings:\n${text.join('\n')}`)
  }
  return result.outputFiles.map((file) => ({ name: path.relative(distDir, file.path), contents: file.contents }))
}

function size (bytes) {
  return `${(bytes.length / 1024).toFixed(1)} KiB (gzip ${(gzipSync(bytes, { level: 9 }).length / 1024).toFixed(1)} KiB)`
}

async function check (files) {
  const problems = []
  const expected = new Set(files.map((f) => f.name))
  for (const file of files) {
    let current = null
    try {
      current = await readFile(path.join(distDir, file.name))
    } catch {}
    if (current === null) problems.push(`dist/${file.name} is missing`)
    else if (!Buffer.from(file.contents).equals(current)) problems.push(`dist/${file.name} differs from a fresh build`)
  }
  let present = []
  try {
    present = await readdir(distDir)
  } catch {}
  for (const name of present) {
    if (!expected.has(name)) problems.push(`dist/${name} is not produced by the build`)
  }
  if (problems.length > 0) {
    console.error(`web/dist is stale:\n  ${problems.join('\n  ')}\n` +
      'Rebuild it with `cd web && npm ci && node build.mjs` and commit web/dist.')
    process.exit(1)
  }
  console.log(`web/dist is up to date (${files.map((f) => `${f.name} ${size(f.contents)}`).join(', ')})`)
}

async function write (files) {
  await mkdir(distDir, { recursive: true })
  for (const file of files) {
    await writeFile(path.join(distDir, file.name), file.contents)
    console.log(`dist/${file.name}: ${size(file.contents)}`)
  }
}

const args = process.argv.slice(2)
const unknown = args.filter((a) => a !== '--check')
if (unknown.length > 0) {
  console.error(`unknown argument(s): ${unknown.join(' ')}\nusage: node build.mjs [--check]`)
  process.exit(2)
}
try {
  const files = await build()
  if (args.includes('--check')) await check(files)
  else await write(files)
} catch (err) {
  console.error(err.message || err)
  process.exit(1)
}
