import { describe, expect, it } from 'vitest';
import { javaMajorVersion, tail } from '../../src/broker/commands.js';

describe('javaMajorVersion', () => {
  it('reads the major version from `java -version` of Java 9 and later', () => {
    expect(
      javaMajorVersion('openjdk version "17.0.15" 2025-04-15\nOpenJDK Runtime Environment'),
    ).toBe(17);
    expect(javaMajorVersion('java version "21" 2023-09-19 LTS')).toBe(21);
  });

  it('reads the pre-9 `1.x` scheme as x', () => {
    expect(javaMajorVersion('java version "1.8.0_392"')).toBe(8);
  });

  it('gives undefined for output it does not understand', () => {
    expect(javaMajorVersion('bash: java: command not found')).toBeUndefined();
  });
});

describe('tail', () => {
  it('keeps the last lines without the trailing newline', () => {
    expect(tail('a\nb\nc\n', 2)).toBe('b\nc');
  });
});
