import { describe, expect, it } from 'vitest';
import { demangleRust } from '../../src/domain/findings/rust-demangle';

describe('demangleRust', () => {
  it.each([
    ['inherent impl method', '_RNvMs3_NtCshgDM7dBCdno_11rust_binder7processNtB5_7Process10update_ref', '<rust_binder::process::Process>::update_ref'],
    ['crate-level function', '_RNvCscSpY9Juk0HT_7___rustc17rust_begin_unwind', '__rustc::rust_begin_unwind'],
    ['nested modules', '_RNvNtNtCs9jEwPDbx20M_4core9panicking11panic_const24panic_const_sub_overflow', 'core::panicking::panic_const::panic_const_sub_overflow'],
    ['trait impl', '_RNvXs_NtCs1_4kbug5queueNtB4_5QueueNtCs2_4core4Drop4drop', '<kbug::queue::Queue as core::Drop>::drop'],
    ['generic arguments', '_RINvCs1_4kbug4pushmE', 'kbug::push::<u32>'],
    ['closure', '_RNCNvCs1_4kbug4main0', 'kbug::main::{closure}'],
  ])('reads a %s', (_what, symbol, want) => {
    expect(demangleRust(symbol)).toBe(want);
  });

  it.each([
    ['a C symbol', 'kbug_init'],
    ['a truncated symbol', '_RNvMs3_NtCshgDM7dBCdno_11rust_bind'],
    ['an unknown tag', '_RZ'],
    ['a runaway back-reference', '_RB_'],
  ])('leaves %s as it is', (_what, symbol) => {
    expect(demangleRust(symbol)).toBe(symbol);
  });
});
