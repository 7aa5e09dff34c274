import { afterEach, describe, expect, it } from 'vitest';
import { benchNumber } from '../../bench/bench-env';

const NAME = 'RCDEBUG_BENCH_TEST_SETTING';
afterEach(() => {
  delete process.env[NAME];
});

describe('a benchmark setting from the environment', () => {
  it('is the default when unset or empty, the value when it is a positive number', () => {
    expect(benchNumber(NAME, 3)).toBe(3);
    process.env[NAME] = '';
    expect(benchNumber(NAME, 3)).toBe(3);
    process.env[NAME] = '2.5';
    expect(benchNumber(NAME, 3)).toBe(2.5);
    process.env[NAME] = '7';
    expect(benchNumber(NAME, 3, { integer: true })).toBe(7);
  });

  it.each(['abc', '0', '-1', 'NaN'])('refuses %s, naming the variable and the default', (raw) => {
    process.env[NAME] = raw;
    expect(() => benchNumber(NAME, 3)).toThrow(`${NAME}=${raw}: give a positive number (default 3)`);
  });

  it('refuses a fraction where a count is asked', () => {
    process.env[NAME] = '1.5';
    expect(() => benchNumber(NAME, 3, { integer: true })).toThrow(`${NAME}=1.5: give a positive whole number (default 3)`);
  });
});
