/**
 * The descriptors made of a .proto file equal what buf (a protoc-compatible
 * compiler) makes of it, for every construct file-descriptors.ts describes,
 * including those radar.proto does not use yet.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromBinary, toJson } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema, FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { afterAll, expect, it } from 'vitest';
import { radarFileDescriptors } from '../../src/api/reflection.js';

const dir = mkdtempSync(join(tmpdir(), 'radar-descriptors-'));

afterAll(() => rm(dir, { recursive: true, force: true }));

const SAMPLE = `syntax = "proto3";

package sample.v1;

message Outer {
  message Inner {
    enum Colour {
      COLOUR_UNSPECIFIED = 0;
      COLOUR_RED = 1;
    }
    Colour colour = 1;
    repeated Inner children = 2;
  }
  optional string first_name = 1;
  oneof pick {
    int64 big_number = 2;
    Inner inner = 3;
  }
  optional bool is_set = 4;
  repeated bytes raw_parts = 5;
  sint32 a_2b = 6;
  oneof other {
    double ratio = 7;
  }
  Kind kind = 8;
}

enum Kind {
  KIND_UNSPECIFIED = 0;
  KIND_ONE = 1;
}

service Sample {
  rpc Unary(Outer) returns (Outer.Inner);
  rpc Up(stream Outer) returns (Outer);
  rpc Down(Outer) returns (stream Outer);
  rpc Both(stream Outer) returns (stream Outer.Inner);
}
`;

function compiled(root: string, file: string) {
  const buf = fileURLToPath(new URL('../../node_modules/.bin/buf', import.meta.url));
  const set = fromBinary(
    FileDescriptorSetSchema,
    execFileSync(buf, [
      'build',
      root,
      '--exclude-source-info',
      '--as-file-descriptor-set',
      '-o',
      '-',
    ]),
  );
  return toJson(
    FileDescriptorProtoSchema,
    set.file.find((f) => f.name === file)!,
  );
}

it('describes nested types and enums, real and synthetic oneofs, JSON names and streaming as buf does', () => {
  const root = join(dir, 'proto');
  mkdirSync(join(root, 'radar', 'v1'), { recursive: true });
  // Where radarFileDescriptors looks: the sample stands in for radar.proto.
  writeFileSync(join(root, 'radar', 'v1', 'radar.proto'), SAMPLE);
  const [file] = radarFileDescriptors(root);
  expect(toJson(FileDescriptorProtoSchema, file!)).toEqual(compiled(root, 'radar/v1/radar.proto'));
});
