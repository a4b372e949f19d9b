// The AdminServer's JSON layout (Jackson's default pretty printer, as ZooKeeper 3.8 writes it;
// the expected texts are copied from a real 3.8.0 AdminServer's answers) and Java's numbers.
import { describe, expect, it } from "vitest";
import { JavaDouble, jacksonJson } from "../../src/admin/http/jackson-json.js";

describe("Jackson's layout", () => {
  it("objects, nested objects, arrays of objects and empty containers", () => {
    expect(
      jacksonJson({
        connections: [
          { remote_socket_address: "127.0.0.1:35934", interest_ops: 1, session_id: 72058417606492160n },
        ],
        secure_connections: [],
        command: "connections",
        error: null,
      }),
    ).toBe(
      [
        "{",
        '  "connections" : [ {',
        '    "remote_socket_address" : "127.0.0.1:35934",',
        '    "interest_ops" : 1,',
        '    "session_id" : 72058417606492160',
        "  } ],",
        '  "secure_connections" : [ ],',
        '  "command" : "connections",',
        '  "error" : null',
        "}",
      ].join("\n"),
    );
    expect(jacksonJson({ expiry_time_to_session_ids: {}, digests: [] })).toBe(
      '{\n  "expiry_time_to_session_ids" : { },\n  "digests" : [ ]\n}',
    );
    expect(jacksonJson({ path_to_session_ids: { "/a/e": [1n, 2n] } })).toBe(
      '{\n  "path_to_session_ids" : {\n    "/a/e" : [ 1, 2 ]\n  }\n}',
    );
  });

  it("Java doubles keep their decimal point; longs stay exact; fractions must be declared doubles", () => {
    expect(jacksonJson({ avg_latency: new JavaDouble(0), x: new JavaDouble(1.5714) })).toBe(
      '{\n  "avg_latency" : 0.0,\n  "x" : 1.5714\n}',
    );
    expect(jacksonJson({ id: -7197354629238451270n })).toBe('{\n  "id" : -7197354629238451270\n}');
    expect(() => jacksonJson({ x: 0.5 })).toThrow(/not a whole number/);
  });

  it("strings are escaped as JSON", () => {
    expect(jacksonJson({ initial_configuration: 'a\n"b"\\' })).toBe(
      '{\n  "initial_configuration" : "a\\n\\"b\\"\\\\"\n}',
    );
  });
});
