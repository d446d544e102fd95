/*
 * Tests of the pg client module against a server with linal (PGHOST, PGPORT,
 * PGUSER, PGDATABASE). Run: node --test test/
 */
'use strict'

const test = require('node:test')
const assert = require('node:assert')
const { Client } = require('pg')
const { registerTypes, toSql } = require('..')

async function connect(options) {
  const client = new Client()
  await client.connect()
  await client.query('CREATE EXTENSION IF NOT EXISTS linal')
  await registerTypes(client, options)
  return client
}

// the value as nested arrays of numbers of the given shape
function sample(shape, level = 0, counter = { n: 0 }) {
  if (level === shape.length) {
    return counter.n++ * 0.25 - 1.5
  }
  return Array.from({ length: shape[level] }, () => sample(shape, level + 1, counter))
}

const SHAPES = [[], [3], [2, 3], [2, 1, 3], [1, 2, 1, 2], [2, 2, 2, 2, 2], [1, 2, 1, 2, 1, 2],
  [1, 1, 1, 1, 1, 1, 1, 3], [2, 2, 2, 2, 2, 2, 2, 2], [0], [2, 0]]

test('round trips of every rank', async () => {
  const client = await connect()
  try {
    for (const shape of SHAPES) {
      const value = sample(shape)
      const { rows } = await client.query('SELECT $1::tensor AS t', [toSql(value)])
      assert.deepStrictEqual(rows[0].t, value, `shape ${shape}`)
    }
  } finally {
    await client.end()
  }
})

test('special values keep their bits', async () => {
  const client = await connect()
  try {
    const special = Array.from(new Float32Array([-0, 1e-45, -1e-45, 1.1754942e-38, 3.4028235e38,
      -3.4028235e38, 0.1, 16777217, 1.0000001]))
    const { rows } = await client.query('SELECT $1::tensor AS t', [toSql(special)])
    // JSON numbers are doubles: the shortest decimal of each float, which
    // Math.fround turns back into the float itself
    assert.deepStrictEqual(rows[0].t.map(Math.fround), special)
    assert.ok(Object.is(rows[0].t[0], -0))
    const server = await client.query("SELECT '[-0, 3.4028235e38]'::tensor AS t")
    assert.ok(Object.is(server.rows[0].t[0], -0))
    assert.strictEqual(Math.fround(server.rows[0].t[1]), Math.fround(3.4028235e38))
  } finally {
    await client.end()
  }
})

test('typed arrays in, Float32Array out when asked', async () => {
  const client = await connect({ float32: true })
  try {
    const v = new Float32Array([0.1, -2.5, 3])
    const { rows } = await client.query('SELECT $1::tensor AS v, $2::tensor AS m, $3::tensor AS e',
      [toSql(v), toSql([new Float64Array([1, 2]), [3, 4]]), toSql([])])
    assert.ok(rows[0].v instanceof Float32Array)
    assert.deepStrictEqual(rows[0].v, v)
    assert.deepStrictEqual(rows[0].m, [[1, 2], [3, 4]])
    assert.deepStrictEqual(rows[0].e, new Float32Array(0))
  } finally {
    await client.end()
  }
})

test('NULL, rank 0 and tensor[]', async () => {
  const client = await connect()
  try {
    const { rows } = await client.query(
      "SELECT $1::tensor AS n, $2::tensor AS s, ARRAY['[1,2]'::tensor, NULL, '[[3]]'] AS a",
      [toSql(null), toSql(2.5)])
    assert.strictEqual(rows[0].n, null)
    assert.strictEqual(rows[0].s, 2.5)
    assert.deepStrictEqual(rows[0].a, [[1, 2], null, [[3]]])
  } finally {
    await client.end()
  }
})

test('typmod columns and distance operators', async () => {
  const client = await connect()
  try {
    await client.query('CREATE TEMP TABLE items (id int, v tensor(2), m tensor(2,2))')
    await client.query('INSERT INTO items VALUES (1, $1, $2), (2, $3, NULL)',
      [toSql([3, 4]), toSql([[1, 0], [0, 1]]), toSql([1, 1])])
    const { rows } = await client.query(
      'SELECT id, v <-> $1 AS l2, v <+> $1 AS l1, v <#> $1 AS ip, m FROM items ORDER BY v <-> $1',
      [toSql([0, 0])])
    assert.deepStrictEqual(rows.map((r) => r.id), [2, 1])
    assert.strictEqual(rows[1].l2, 5)
    assert.strictEqual(rows[1].l1, 7)
    assert.strictEqual(rows[1].ip, -0)
    assert.deepStrictEqual(rows[1].m, [[1, 0], [0, 1]])
    await assert.rejects(client.query('INSERT INTO items (v) VALUES ($1)', [toSql([1, 2, 3])]),
      (err) => err.code === '22000')
  } finally {
    await client.end()
  }
})

test('server errors reach the caller', async () => {
  const client = await connect()
  try {
    for (const bad of [[NaN], [1, Infinity], [[1, 2], [3]]]) {
      await assert.rejects(client.query('SELECT $1::tensor', [toSql(bad)]),
        (err) => err.code === '22P02', JSON.stringify(bad))
    }
    // a finite double outside float4, as real input refuses it
    await assert.rejects(client.query('SELECT $1::tensor', [toSql([1e39])]),
      (err) => err.code === '22003')
  } finally {
    await client.end()
  }
})

test('toSql text forms', () => {
  assert.strictEqual(toSql([[1, 2], [3, -0]]), '[[1,2],[3,-0]]')
  assert.strictEqual(toSql(new Float32Array([0.5])), '[0.5]')
  assert.strictEqual(toSql(undefined), null)
  assert.throws(() => toSql(['a']), TypeError)
})

test('registerTypes throws when the type is missing', async () => {
  const client = new Client()
  await client.connect()
  try {
    // the lookup as registerTypes runs it, on a connection that sees no tensor type
    const noType = { query: (q) => client.query(q.replace("'tensor'", "'no_such_type'")), setTypeParser() {} }
    await assert.rejects(registerTypes(noType), /tensor type not found/)
  } finally {
    await client.end()
  }
})
