/*
 * node-postgres (pg) support for linal's tensor type.
 *
 *   const { registerTypes, toSql } = require('linal-client')
 *   await registerTypes(client)               // or a pool's client
 *   await client.query('INSERT INTO items (v) VALUES ($1)', [toSql([[1, 2], [3, 4]])])
 *   (await client.query('SELECT v FROM items')).rows[0].v   // [[1, 2], [3, 4]]
 *
 * The text form of a tensor is nested brackets of numbers, which is JSON:
 * results parse to nested arrays of numbers (a number for rank 0), or with
 * { float32: true } a rank-1 tensor to a Float32Array. tensor[] results parse
 * to arrays of those. The parsers are set on the given client only.
 */
'use strict'

const { types } = require('pg')

function parseTensor(text, float32) {
  const value = JSON.parse(text)
  if (float32 && Array.isArray(value) && (value.length === 0 || !Array.isArray(value[0]))) {
    return Float32Array.from(value)
  }
  return value
}

/*
 * Looks up the tensor type (in any schema) and sets text parsers for it and
 * for tensor[] on client. Throws if the extension is not installed.
 */
async function registerTypes(client, options = {}) {
  const float32 = Boolean(options.float32)
  const result = await client.query(
    "SELECT oid, typarray FROM pg_catalog.pg_type WHERE typname = 'tensor' AND typtype = 'b'")
  if (result.rows.length === 0) {
    throw new Error('tensor type not found: run CREATE EXTENSION linal first')
  }
  const parse = (text) => parseTensor(text, float32)
  for (const row of result.rows) {
    client.setTypeParser(Number(row.oid), 'text', parse)
    client.setTypeParser(Number(row.typarray), 'text',
      (text) => types.arrayParser.create(text, parse).parse())
  }
}

// Writes one number so that the server reads back the same float: -0 keeps
// its sign (String(-0) is "0"), NaN and Infinity are written as such so that
// the server refuses them rather than this module guessing.
function formatNumber(x) {
  if (typeof x !== 'number') {
    throw new TypeError(`a tensor holds numbers, not ${typeof x}`)
  }
  return Object.is(x, -0) ? '-0' : String(x)
}

function formatLevel(value) {
  if (Array.isArray(value) || ArrayBuffer.isView(value)) {
    if (value instanceof DataView) {
      throw new TypeError('a DataView is not a tensor')
    }
    return '[' + Array.from(value, formatLevel).join(',') + ']'
  }
  return formatNumber(value)
}

/*
 * The text form of a tensor for a query parameter: a number (rank 0), an
 * array, nested arrays or a typed array (Float32Array, Float64Array, ...).
 * null and undefined give null. Ragged nesting is left to the server (22P02).
 */
function toSql(value) {
  if (value === null || value === undefined) {
    return null
  }
  return formatLevel(value)
}

module.exports = { registerTypes, toSql, parseTensor }
