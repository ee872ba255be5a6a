/**
 * FileDescriptorProtos as protoc writes them, from .proto files parsed by
 * protobufjs: field names as written with their JSON names beside them,
 * fully qualified type names, proto3 `optional` as a synthetic oneof after
 * the real ones. Server reflection hands these out, so grpcurl and other
 * reflecting clients see the schema of the .proto files and not
 * protobufjs' own rendering of it (which names files by package, camelCases
 * field names unless told not to, drops JSON names, leaves type names
 * relative and turns `optional` into a real oneof).
 *
 * The radar's schemas are proto3 without imports, options, maps, extensions
 * or reserved ranges, and that is all this describes: test/api/reflection
 * compares what is served for radar.proto with what buf compiles from it,
 * so a construct added beyond that shows up there.
 */
import { create, toBinary, type MessageInitShape } from '@bufbuild/protobuf';
import { protoCamelCase } from '@bufbuild/protobuf/reflect';
import {
  DescriptorProtoSchema,
  EnumDescriptorProtoSchema,
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
  FieldDescriptorProtoSchema,
  FileDescriptorProtoSchema,
  ServiceDescriptorProtoSchema,
  type FileDescriptorProto,
} from '@bufbuild/protobuf/wkt';
import protobuf from 'protobufjs';

type Init<Schema extends Parameters<typeof create>[0]> = MessageInitShape<Schema>;

const SCALARS: Readonly<Record<string, FieldDescriptorProto_Type>> = {
  double: FieldDescriptorProto_Type.DOUBLE,
  float: FieldDescriptorProto_Type.FLOAT,
  int64: FieldDescriptorProto_Type.INT64,
  uint64: FieldDescriptorProto_Type.UINT64,
  int32: FieldDescriptorProto_Type.INT32,
  fixed64: FieldDescriptorProto_Type.FIXED64,
  fixed32: FieldDescriptorProto_Type.FIXED32,
  bool: FieldDescriptorProto_Type.BOOL,
  string: FieldDescriptorProto_Type.STRING,
  bytes: FieldDescriptorProto_Type.BYTES,
  uint32: FieldDescriptorProto_Type.UINT32,
  sfixed32: FieldDescriptorProto_Type.SFIXED32,
  sfixed64: FieldDescriptorProto_Type.SFIXED64,
  sint32: FieldDescriptorProto_Type.SINT32,
  sint64: FieldDescriptorProto_Type.SINT64,
};

/** protobufjs names a resolved type `.package.Name`, as descriptors do. */
function typeOf(field: protobuf.Field): Init<typeof FieldDescriptorProtoSchema> {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type)
    return { type: FieldDescriptorProto_Type.MESSAGE, typeName: resolved.fullName };
  if (resolved instanceof protobuf.Enum)
    return { type: FieldDescriptorProto_Type.ENUM, typeName: resolved.fullName };
  const scalar = SCALARS[field.type];
  if (scalar === undefined) throw new TypeError(`cannot describe field type ${field.type}`);
  return { type: scalar };
}

function isProto3Optional(field: protobuf.Field): boolean {
  return field.options?.proto3_optional === true;
}

function message(type: protobuf.Type): Init<typeof DescriptorProtoSchema> {
  for (const field of type.fieldsArray)
    if (field.map) throw new TypeError(`cannot describe map field ${field.fullName}`);
  // protoc numbers the real oneofs first, then one synthetic oneof per optional field.
  const synthetic = type.fieldsArray
    .filter(isProto3Optional)
    .flatMap((f) => (f.partOf === null ? [] : [f.partOf]));
  const oneofs = [...type.oneofsArray.filter((o) => !synthetic.includes(o)), ...synthetic];
  return {
    name: type.name,
    field: type.fieldsArray.map((field) => ({
      name: field.name,
      number: field.id,
      label: field.repeated
        ? FieldDescriptorProto_Label.REPEATED
        : FieldDescriptorProto_Label.OPTIONAL,
      ...typeOf(field),
      ...(field.partOf ? { oneofIndex: oneofs.indexOf(field.partOf) } : {}),
      jsonName: protoCamelCase(field.name),
      ...(isProto3Optional(field) ? { proto3Optional: true } : {}),
    })),
    nestedType: type.nestedArray.filter((n) => n instanceof protobuf.Type).map(message),
    enumType: type.nestedArray.filter((n) => n instanceof protobuf.Enum).map(enumeration),
    oneofDecl: oneofs.map((o) => ({ name: o.name })),
  };
}

function enumeration(e: protobuf.Enum): Init<typeof EnumDescriptorProtoSchema> {
  return {
    name: e.name,
    value: Object.entries(e.values).map(([name, number]) => ({ name, number })),
  };
}

function service(s: protobuf.Service): Init<typeof ServiceDescriptorProtoSchema> {
  return {
    name: s.name,
    method: s.methodsArray.map((m) => {
      const input = m.resolvedRequestType;
      const output = m.resolvedResponseType;
      if (input === null || output === null)
        throw new TypeError(`cannot describe unresolved method ${m.fullName}`);
      return {
        name: m.name,
        inputType: input.fullName,
        outputType: output.fullName,
        ...(m.requestStream ? { clientStreaming: true } : {}),
        ...(m.responseStream ? { serverStreaming: true } : {}),
      };
    }),
  };
}

interface FileContents {
  package: string;
  messageType: Init<typeof DescriptorProtoSchema>[];
  enumType: Init<typeof EnumDescriptorProtoSchema>[];
  service: Init<typeof ServiceDescriptorProtoSchema>[];
}

/**
 * One FileDescriptorProto for each file the declarations of a resolved root
 * came from, named by `fileName` (protoc names a file as it is imported).
 */
export function fileDescriptors(
  root: protobuf.Root,
  fileName: (filename: string) => string,
): FileDescriptorProto[] {
  const files = new Map<string, FileContents>();
  const fileOf = (object: protobuf.ReflectionObject, pkg: string) => {
    const name = fileName(object.filename ?? '');
    let file = files.get(name);
    if (file === undefined) {
      file = { package: pkg, messageType: [], enumType: [], service: [] };
      files.set(name, file);
    }
    return file;
  };
  const visit = (ns: protobuf.NamespaceBase) => {
    const pkg = ns.fullName.replace(/^\./, '');
    for (const object of ns.nestedArray) {
      if (object instanceof protobuf.Type) fileOf(object, pkg).messageType.push(message(object));
      else if (object instanceof protobuf.Enum)
        fileOf(object, pkg).enumType.push(enumeration(object));
      else if (object instanceof protobuf.Service)
        fileOf(object, pkg).service.push(service(object));
      else if (object instanceof protobuf.Namespace) visit(object);
    }
  };
  visit(root);
  return [...files].map(([name, contents]) =>
    create(FileDescriptorProtoSchema, { name, ...contents, syntax: 'proto3' }),
  );
}

export function encodeFileDescriptor(file: FileDescriptorProto): Uint8Array {
  return toBinary(FileDescriptorProtoSchema, file);
}
