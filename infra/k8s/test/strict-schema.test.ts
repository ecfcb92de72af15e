import { describe, expect, it } from 'vitest';
import { unknownFields } from './strict-schema.ts';

// A validator written the way the compiled ajv validators read data: named properties, maps by enumeration.
// biome-ignore lint/suspicious/noExplicitAny: the tracked view is untyped by design.
const validate = (data: any) => {
  if (data.spec === undefined) throw new Error('spec is required');
  void data.spec.replicas;
  void data.spec.template;
  for (const key in data.labels ?? {}) void data.labels[key];
  // `config` is free-form in this schema: checked for being an object, never read.
  if (data.config !== undefined && typeof data.config !== 'object') throw new Error('config must be an object');
};

describe('unknownFields', () => {
  it('reports a property the validator never read, with its path', () => {
    expect(unknownFields({ spec: { replicas: 2, replica: 2 } }, validate)).toEqual(['spec.replica']);
  });

  it('accepts every key of a map the validator enumerated', () => {
    expect(unknownFields({ spec: {}, labels: { a: '1', b: '2' } }, validate)).toEqual([]);
  });

  it('skips objects the schema leaves free-form, but not an unknown sibling', () => {
    expect(unknownFields({ spec: {}, config: { anything: true } }, validate)).toEqual([]);
    expect(unknownFields({ spec: {}, extra: { x: 1 } }, validate)).toEqual(['extra']);
  });

  it('walks arrays and lets schema errors through', () => {
    // biome-ignore lint/suspicious/noExplicitAny: as above.
    const list = (data: any) => {
      for (const item of data.items) void item.name;
    };
    expect(unknownFields({ items: [{ name: 'a' }, { name: 'b', nmae: 'c' }] }, list)).toEqual(['items[1].nmae']);
    expect(() => unknownFields({}, validate)).toThrow(/spec is required/);
  });
});
