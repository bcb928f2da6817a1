#!/usr/bin/env python
"""Oracle experiments for Spark's JSON reader/writer semantics (default options).

Run with a PySpark interpreter, from the repository's root:
    .venv/bin/python          tests/spark-answers/json_oracle.py   # PySpark 4.3.0
    .venv-spark40/bin/python  tests/spark-answers/json_oracle.py   # PySpark 4.0.5

Outputs (next to this script):
    results-<sparkversion>.json   machine-readable results of every experiment
    tables-<sparkversion>.md      markdown tables of the results
Compare two versions with:  python json_oracle.py --diff results-A.json results-B.json

Every per-type case is a file line of the form  {"k":<n>,"v":<RAW>}  read with
    spark.read.schema("k INT, v <TYPE>, _corrupt_record STRING").json(path)
in PERMISSIVE mode (the default), once with spark.sql.session.timeZone=UTC and
once with America/New_York.  "k" is always valid, so `k` being non-null in a
corrupt row shows that partial results were kept.
"""
import datetime
import json
import os
import shutil
import sys
import tempfile
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
TZS = ["UTC", "America/New_York"]

# ---------------------------------------------------------------------------
# Per-type cases: (type DDL, [raw JSON text of the value]).  Raw text is
# inserted verbatim into the line, so it may be lexically invalid on purpose.
# ---------------------------------------------------------------------------
INT_COMMON = ['1', '-1', '-0', '1.0', '1.5', '1e2', '1E2', '"1"', '""', 'true', 'null',
              'NaN', '[1]', '{"a":1}', '01', '+1', '0x10']

TYPE_CASES = [
    ("BOOLEAN", ['true', 'false', '"true"', '"false"', '"TRUE"', '1', '0', '1.0', '""',
                 'null', '[true]', '{"a":true}', 'True', 'NaN']),
    ("TINYINT", INT_COMMON + ['127', '128', '200', '255', '256', '-128', '-129',
                              '9223372036854775808']),
    ("SMALLINT", INT_COMMON + ['32767', '32768', '65535', '-32768', '-32769']),
    ("INT", INT_COMMON + ['2147483647', '2147483648', '-2147483648', '-2147483649',
                          '1.9', '1.0e0', '" 1"']),
    ("BIGINT", INT_COMMON + ['9223372036854775807', '9223372036854775808',
                             '-9223372036854775808', '-9223372036854775809',
                             '1e18', '12345678901234567890']),
    ("FLOAT", ['1', '1.5', '0.1', '-0.0', '1e3', '1E-3', '3.4028235e38', '3.5e38', '1e39',
               '1e-50', '16777217', '123456789012345678901234567890',
               'NaN', '-NaN', '+NaN', 'Infinity', '-Infinity', '+Infinity', 'INF', '-INF',
               'inf',
               '"NaN"', '"nan"', '"-NaN"', '"Infinity"', '"+Infinity"', '"-Infinity"',
               '"infinity"', '"INF"', '"+INF"', '"-INF"', '"Inf"', '"inf"',
               '"1.5"', '" 1.5"', '"1"', '""', 'true', 'null', '.5', '5.', '1.5e',
               '1e+2', '01.5', '[1.5]']),
    ("DOUBLE", ['1', '1.5', '0.1', '-0.0', '1e3', '1E-3', '1e308', '1e309',
                '1.7976931348623157e308', '4.9e-324', '1e-400',
                '9007199254740993', '123456789012345678901234567890',
                'NaN', 'Infinity', '-Infinity', '+Infinity', 'INF', '-INF', '+INF', '-Inf', '-inf',
                '"NaN"', '"nan"', '"Infinity"', '"+Infinity"', '"-Infinity"',
                '"INF"', '"+INF"', '"-INF"', '"inf"',
                '"1.5"', '"1e10"', '""', 'true', 'null']),
    ("DECIMAL(5,2)", ['1', '1.5', '1.005', '1.004', '1.015', '-1.005', '2.675', '999.99',
                      '999.994', '999.995', '1000', '1234.5', '-1000', '1e2', '1E-2', '1.5e1',
                      '1e3', '0.001', '0.005', '-0.005', '"1.5"', '"1.005"', '"1e2"', '" 1.5"',
                      '"1.5 "', '"+1.5"', '".5"', '"5."', '"1e"', '"0x1"', '"1E+1"', '"-0"', '"1,5"', '"1,000"', '"abc"', '""', '"NaN"', 'NaN',
                      'Infinity', 'true', 'null', '12345678901234567890', '[1]']),
    ("DECIMAL(10,0)", ['1.5', '2.5', '-2.5', '0.5', '0.49', '1e9', '1e10', '9999999999',
                       '9999999999.5', '"1,234"', '"1,2,3"', '"1,234.5"', '",1"',
                       '"1.5"', '"12345678901"']),
    ("DECIMAL(38,18)", ['0.1', '1e19', '1e20', '12345678901234567890.123456789012345678901',
                        '1e-18', '1e-19', '5e-19', '-5e-19', '4.9e-19',
                        '0.1234567890123456789']),
    ("DECIMAL(38,0)", ['99999999999999999999999999999999999999',
                       '100000000000000000000000000000000000000', '1e37', '1e38', '1.5e0']),
    ("STRING", ['"abc"', '""', '"  x  "', '"\\u00e9"', '"caf\u00e9"', '"a\\nb"', '"\\/"',
                '"\\ud83d\\ude00"', '"\\ud83d"', '1', '-1.50', '1.50e3', '1E3', '1e+3',
                '12345678901234567890123', '1.0000000000000000000001', 'true', 'false',
                'null', 'NaN', 'Infinity', '-Infinity', '+Infinity', '-INF', "'single'",
                '{"a":1}', '{ "a" : 1 , "b":[1, 2] }', '[1, "x", null]', '[ ]',
                '{"a":\'q\'}', '{"a":NaN}', '{"a":"\\u00e9\\n"}', '{"a":1.0}']),
    ("BINARY", ['"aGVsbG8="', '"aGVsbG8"', '"aGVsbG8=="', '"aGVsbA=="', '"aGVsbA"',
                '"aGVsbA="', '"aGVsbG8h"', '"aGVs bG8="', '"aGVs\\nbG8="', '"aGVs\\r\\nbG8="',
                '" aGVsbG8="', '"aGVsbG8= "', '"-_8="', '"+/8="', '"-_8"', '"Y"', '"YQ"',
                '"YQ="', '"YQ=="', '"YQ==="', '"YQ==YQ=="', '""', '"!!!!"', '1', 'true',
                'null', '[104]', '"aGVsbG8=\\t"']),
    ("DATE", ['"2020-01-01"', '"2020-1-1"', '"2020-01"', '"2020"', '"20200101"',
              '"2020-01-01T12:34:56"', '"2020-01-01 12:34:56"', '"2020-01-01T"', '"2020-01-01 "',
              '" 2020-01-01 "', '"\\t2020-01-01\\n"', '"2020-01-01Z"', '"2020-01-01+01:00"',
              '"2020-01-01 garbage"', '"2020-01-01Tgarbage"', '"2020-01-01x"',
              '"2020-01-01T23:59:59-12:00"', '"2020-01-01T23:59:59+14:00"',
              '"2020-02-30"', '"2020-13-01"', '"2019-02-29"', '"2020-02-29"', '"2020-00-01"',
              '"0001-01-01"', '"0000-01-01"', '"-0001-01-01"', '"1582-10-10"', '"1000-01-01"',
              '"9999-12-31"', '"10000-01-01"', '"+10000-01-01"', '"1234567-01-01"',
              '"12345678-01-01"', '"99-01-01"', '"999-01-01"', '"2020-001"',
              '"01/02/2020"', '"2020/01/01"', '"Jan 1 2020"', '"2020-01-01GMT"',
              '"2020-01-01T00:00:00GMT+01:00"', '"GMT2020-01-01"',
              '"18262"', '"0"', '"-1"', '"+18262"', '"-200000"', '"2147483647"',
              '"18262.0"', '" 18262"', '"-10000000"', '"12345678"', '"+0"', '" 0"', '"00"', '"007"',
              '"-1000"', '"2020-01-01\\u000b"', '"\\u00a02020-01-01"', '18262', '18262.5', '""', 'null', 'true',
              '"now"', '"today"', '"epoch"', '["2020-01-01"]']),
    ("TIMESTAMP", [
        '"2020-01-01T00:00:00Z"', '"2020-01-01T00:00:00"', '"2020-01-01 00:00:00"',
        '"2020-01-01"', '"2020-01"', '"2020"', '"2020-1-1 1:2:3"', '"2020-01-01T00:00"',
        '"2020-01-01T00"', '"2020-01-01T"', '"2020-01-01 "', '"2020-01-01T00:00:00.1"',
        '"2020-01-01T00:00:00.123"',
        '"2020-01-01T00:00:00.123456"', '"2020-01-01T00:00:00.1234567"',
        '"2020-01-01T00:00:00.123456789Z"', '"2020-01-01T00:00:00.Z"', '"2020-01-01T00:00:00."',
        '"2020-01-01T00:00:00,123"',
        '"2020-01-01T00:00:00+01:00"', '"2020-01-01T00:00:00+0100"', '"2020-01-01T00:00:00+01"',
        '"2020-01-01T00:00:00+1"', '"2020-01-01T00:00:00+1:00"', '"2020-01-01T00:00:00+01:0"',
        '"2020-01-01T00:00:00+01:00:30"', '"2020-01-01T00:00:00-05:00"',
        '"2020-01-01T00:00:00+14:00"', '"2020-01-01T00:00:00+18:00"', '"2020-01-01T00:00:00+19:00"',
        '"2020-01-01T00:00:00 +01:00"', '"2020-01-01T00:00:00 Z"', '"2020-01-01T00:00:00z"',
        '"2020-01-01t00:00:00"', '"2020-01-01T00:00:00.5+01:00"', '"2020-01-01 00:00:00.5 -05:00"',
        '"2020-01-01T00:00:00UTC"', '"2020-01-01T00:00:00 UTC"', '"2020-01-01T00:00:00utc"',
        '"2020-01-01T00:00:00GMT"', '"2020-01-01T00:00:00GMT+1"', '"2020-01-01T00:00:00GMT+01:00"',
        '"2020-01-01T00:00:00GMT-05:00"', '"2020-01-01T00:00:00UTC+01:00"', '"2020-01-01T00:00:00UTC+1"',
        '"2020-01-01T00:00:00UT+1"', '"2020-01-01T00:00:00UT"',
        '"2020-01-01T00:00:00America/New_York"', '"2020-01-01T00:00:00 America/New_York"',
        '"2020-01-01T00:00:00Europe/Paris"', '"2020-01-01T00:00:00[America/New_York]"',
        '"2020-01-01T00:00:00+01:00[Europe/Paris]"', '"2020-01-01T00:00:00EST"',
        '"2020-01-01T00:00:00PST"', '"2020-01-01T00:00:00CET"', '"2020-01-01T00:00:00CTT"',
        '"2020-01-01T00:00:00Mars/Base"',
        '"2020-01-01 00:00:00Z"', '"2020-01-01Z"', '"2020-01-01 Z"', '"2020-01-01+01:00"',
        '"2020-01-01T24:00:00"', '"2020-01-01T23:59:60"', '"2020-02-30T00:00:00"',
        '"2020-01-01T00:00:00Zgarbage"', '"2020-01-01T00:00:00 garbage"',
        '"2020-03-08T02:30:00"', '"2020-11-01T01:30:00"',
        '"0001-01-01T00:00:00Z"', '"1582-10-10T00:00:00Z"', '"1900-01-01T00:00:00"',
        '"9999-12-31T23:59:59.999999Z"', '"+10000-01-01T00:00:00Z"', '"-0001-01-01T00:00:00Z"',
        '"294247-01-10T04:00:54.775807Z"', '"294247-01-10T04:00:54.775808Z"',
        '" 2020-01-01T00:00:00Z "', '"\\t2020-01-01T00:00:00\\n"',
        '"Jan 1 2020"', '"2020/01/01 00:00:00"', '"01/02/2020 00:00:00"', '"1577836800"',
        '"now"', '"epoch"', '"12:34:56"', '"T12:34:56"', '"12:34"', '"2020-01-01T00:00:00.9999999"',
        '"1000000-01-01T00:00:00Z"', '"2020-01-01T00:00Z"', '"2020-01-01T00Z"', '"2020-01-01T00:00+01:00"',
        '"2020-01-01T00:00:00\\u000b"', '"\\u00a02020-01-01T00:00:00"', '"\\u00002020-01-01T00:00:00"',
        '"2020-01-01T00:00:00\\u001f"', '"2020-01-01T00:00:00\\u007f"', '"2020-01-01T00:00:00.123-05:00"', '"2020-01-01 00:00:00 America/New_York"',
        '0', '1577836800', '-1', '1577836800.5', '1.5e9', '1e3', '9223372036854',
        '9223372036855', '9223372036854775807', '9223372036854775808', '"1577836800.5"',
        '""', 'null', 'true', '["2020-01-01"]']),
    ("TIMESTAMP_NTZ", [
        '"2020-01-01T00:00:00"', '"2020-01-01 00:00:00"', '"2020-01-01"', '"2020-01"', '"2020"',
        '"2020-1-1 1:2:3"', '"2020-01-01T00:00:00.123456789"', '"2020-01-01T00:00:00Z"',
        '"2020-01-01T00:00:00+01:00"', '"2020-01-01T00:00:00-05:00"', '"2020-01-01T00:00:00UTC"',
        '"2020-01-01T00:00:00 America/New_York"', '"2020-01-01T00:00:00GMT"',
        '"2020-01-01T00:00:00GMT+01:00"', '"2020-01-01Z"',
        '"12:34:56"', '"T12:34:56"', '"2020-03-08T02:30:00"', '" 2020-01-01T00:00:00 "',
        '"+10000-01-01T00:00:00"', '"2020-01-01T24:00:00"', '"2020/01/01"',
        '0', '1577836800', '1.5', '""', 'null', 'true']),
    ("ARRAY<INT>", ['[1,2,3]', '[]', '[null]', '[1,null]', '[1,"2",3]', '[1,2.5]', '1', '"[1,2]"',
                    '{"a":1}', 'null', '[[1]]', '[1,2,]', '[,1]', '[1,,2]']),
    ("ARRAY<STRUCT<a:INT,b:STRING>>", [
        '[{"a":1,"b":"x"}]', '[{"a":"bad","b":"x"},{"a":2,"b":"y"}]', '[{"a":1,"b":"x"},7]',
        '[1]', '{"a":1,"b":"x"}', '[null]', '[]', '[{}]']),
    ("ARRAY<ARRAY<INT>>", ['[[1],[2,3]]', '[[1],[2,"x"]]', '[[1],null]', '[1]']),
    ("MAP<STRING,INT>", ['{"a":1,"b":2}', '{}', '{"a":null}', '{"a":1,"a":2}', '{"a":"x"}',
                         '{"a":1,"b":"x"}', '{"a":1.5}', '[1]', '"x"', '1', 'null', '{"":1}',
                         '{"b":1,"a":2}']),
    ("MAP<STRING,STRUCT<x:INT,y:INT>>", ['{"k":{"x":1,"y":2}}', '{"k":{"x":"bad","y":2}}',
                                        '{"k":{"x":1},"j":5}']),
    ("MAP<STRING,ARRAY<INT>>", ['{"k":[1,2]}', '{"k":[1,"x"]}', '{"k":1}']),
    ("STRUCT<a:INT,b:STRING>", [
        '{"a":1,"b":"x"}', '{}', '{"a":1}', '{"A":1,"B":"x"}', '{"a":"bad","b":"x"}',
        '{"b":"x","a":"bad"}', '{"a":1,"a":2}', '{"a":"bad","a":2}', '{"a":1,"a":"bad"}',
        '[{"a":1}]', '"x"', '1', 'null', '{"a":1,"c":{"deep":[1,2]},"b":"x"}', '{"a":1,"b":2}',
        '{"a":null,"b":null}']),
    ("STRUCT<inner:STRUCT<x:INT,y:INT>,z:INT>", [
        '{"inner":{"x":1,"y":2},"z":3}', '{"inner":{"x":"bad","y":2},"z":3}',
        '{"inner":{"y":2,"x":"bad"},"z":3}', '{"inner":5,"z":3}', '{"z":3}']),
]

# Cases where the value comes BEFORE the always-valid "k" field: {"v":<RAW>,"k":<n>}.
# Shows whether a conversion failure desynchronises the tokenizer (k lost).
VFIRST_CASES = [
    ("BINARY", ['"aGVsbG8="', '"aGVsbG8"', '"aGVsbG8=="', '"aGVsbA="', '"aGVs!bG8="', '"Y"', '"YQ"', '"YQ="',
                '"YQ=x"', '"YQ==x"', '"Y==="', '"="', '"=="', '"===="', '"-_8="', '"\\u0059Q=="',
                '"Y\\u0051=="', '"YQ\\u003d\\u003d"', '"YQ\\u003d="', '"Y Q=="', '"YQ =="', '"YQ= ="',
                '"aGVs\\tbG8="', '"aGVs\\u0020bG8="', '"aGVsbG8=\\n"', '"\\n"', '" "']),
    ("INT", ['"x"', '1.5', '[1,2]', '{"a":[1,{"b":2}]}', '2147483648', 'NaN', 'true']),
]

# ---------------------------------------------------------------------------
# Record-level cases.  (label, schema DDL, [raw lines]) -- the lines of one file.
# ---------------------------------------------------------------------------
S = "a INT, b STRING, _corrupt_record STRING"
RECORD_CASES = [
    ("well-formed", S, ['{"a":1,"b":"x"}']),
    ("blank lines / whitespace-only lines", S, ['{"a":1}', '', '   ', '\t', '{"a":2}']),
    ("CRLF line endings", S, ['{"a":1}\r', '{"a":2}\r']),
    ("lone CR as line separator", S, ['{"a":1}\r{"a":2}']),
    ("top-level array of objects", S, ['[{"a":1},{"a":2,"b":"y"}]']),
    ("top-level empty array", S, ['[]', '{"a":9}']),
    ("top-level array of numbers", S, ['[1,2]']),
    ("top-level array, one bad element", S, ['[{"a":1},2]']),
    ("top-level array, field error in one element", S, ['[{"a":1},{"a":"bad","b":"y"}]']),
    ("top-level array containing null", S, ['[{"a":1},null]']),
    ("top-level array of arrays", S, ['[[{"a":1}]]']),
    ("top-level number", S, ['1']),
    ("top-level string", S, ['"str"']),
    ("top-level null", S, ['null']),
    ("top-level true", S, ['true']),
    ("two objects on one line", S, ['{"a":1}{"a":2}']),
    ("object then garbage", S, ['{"a":1} garbage']),
    ("object then comma", S, ['{"a":1},']),
    ("object with surrounding whitespace", S, ['   {"a":1}   ']),
    ("truncated object", S, ['{"a":1']),
    ("truncated string", S, ['{"a":1,"b":"x']),
    ("trailing comma in object", S, ['{"a":1,"b":"x",}']),
    ("double comma", S, ['{"a":1,,"b":"x"}']),
    ("missing value", S, ['{"a":,"b":"x"}']),
    ("single-quoted names and strings", S, ["{'a':1,'b':'x'}"]),
    ("unquoted field names", S, ['{a:1,b:"x"}']),
    ("block comment", S, ['/*c*/{"a":1}']),
    ("line comment after object", S, ['{"a":1} // c']),
    ("hash comment", S, ['# c']),
    ("leading zero", S, ['{"a":01}']),
    ("leading zero negative", S, ['{"a":-01}']),
    ("leading plus", S, ['{"a":+1}']),
    ("leading decimal point", S, ['{"b":"x","a":.5}']),
    ("raw TAB inside string", S, ['{"a":1,"b":"x\ty"}']),
    ("raw 0x01 inside string", S, ['{"a":1,"b":"x\x01y"}']),
    ("backslash-escaped ordinary char", S, ['{"a":1,"b":"\\q"}']),
    ("escaped single quote", S, ['{"a":1,"b":"\\\'"}']),
    ("bare NaN into INT", S, ['{"a":NaN,"b":"x"}']),
    ("field-level failure first", S, ['{"a":"bad","b":"x"}']),
    ("field-level failure last", S, ['{"b":"x","a":"bad"}']),
    ("field-level failure with surrounding spaces", S, ['  {"a":"bad","b":"x"}  ']),
    ("field name case differs", S, ['{"A":1,"B":"x"}']),
    ("duplicate key, last wins?", S, ['{"a":1,"a":2}']),
    ("duplicate key, bad then good", S, ['{"a":"bad","a":2}']),
    ("duplicate key, good then bad", S, ['{"a":2,"a":"bad"}']),
    ("data contains a _corrupt_record key", S, ['{"a":1,"_corrupt_record":"zzz"}']),
    ("data contains a _corrupt_record key and is bad", S, ['{"a":"bad","_corrupt_record":"zzz"}']),
    ("unknown fields ignored", S, ['{"a":1,"zzz":{"q":[1,2,{"r":null}]},"b":"x"}']),
    ("unknown field holding NaN/single quotes", S, ['{"a":1,"zzz":[NaN,\'q\']}']),
    ("unknown field lexically bad", S, ['{"a":1,"zzz":[01]}']),
    ("invalid UTF-8 byte in string", S, [b'{"a":1,"b":"x\xffy"}']),
    ("invalid UTF-8 byte in unknown field", S, [b'{"a":1,"z":"x\xffy"}']),
    ("escaped NUL in string", S, ['{"a":1,"b":"x\\u0000y"}']),
    ("extra closing brace", S, ['{"a":1}}']),
    ("single-quoted string containing double quote", S, ["{'a':1,'b':'x\"y'}"]),
    ("UTF-8 BOM at file start", S, [b'\xef\xbb\xbf{"a":1}', b'{"a":2}']),
    ("NUL character line", S, ['\x00']),
    ("empty object", S, ['{}']),
    ("very large number into INT, other field fine", S, ['{"a":1e999,"b":"x"}']),
    ("no _corrupt_record column: field failure", "a INT, b STRING", ['{"a":"bad","b":"x"}']),
    ("no _corrupt_record column: lexical failure", "a INT, b STRING", ['{"a":1,"b":"x"']),
    ("no _corrupt_record column: top-level number", "a INT, b STRING", ['1']),
    ("nested struct partial", "s STRUCT<x:INT,y:INT>, b STRING, _corrupt_record STRING",
     ['{"s":{"x":"bad","y":2},"b":"x"}']),
    ("array element failure", "arr ARRAY<INT>, b STRING, _corrupt_record STRING",
     ['{"arr":[1,"x",3],"b":"x"}']),
    ("array of struct partial", "arr ARRAY<STRUCT<x:INT,y:INT>>, b STRING, _corrupt_record STRING",
     ['{"arr":[{"x":1,"y":1},{"x":"bad","y":2}],"b":"x"}']),
    ("map value failure", "m MAP<STRING,INT>, b STRING, _corrupt_record STRING",
     ['{"m":{"p":1,"q":"x"},"b":"x"}']),
    ("map of struct partial", "m MAP<STRING,STRUCT<x:INT,y:INT>>, b STRING, _corrupt_record STRING",
     ['{"m":{"p":{"x":"bad","y":2}},"b":"x"}']),
    ("map duplicate keys", "m MAP<STRING,INT>, _corrupt_record STRING", ['{"m":{"a":1,"a":2}}']),
    ("two corrupt fields", "a INT, c INT, b STRING, _corrupt_record STRING",
     ['{"a":"bad","c":"bad2","b":"x"}']),
    ("_corrupt_record not last in schema", "_corrupt_record STRING, a INT", ['{"a":"bad"}', '{"a":1}']),
    ("all fields missing", S, ['{"zzz":1}']),
    ("binary: bad padding mid-string, value first", "v BINARY, k INT, _corrupt_record STRING", ['{"v":"aGVsbA=","k":1}']),
    ("binary: single char, value first", "v BINARY, k INT, _corrupt_record STRING", ['{"v":"Y","k":1}']),
    ("binary: missing padding, value first", "v BINARY, k INT, _corrupt_record STRING", ['{"v":"aGVsbG8","k":1}']),
    ("binary: illegal char mid-string, value first", "v BINARY, k INT, _corrupt_record STRING", ['{"v":"aGVs!bG8=","k":1}']),
    ("binary: padding then more chars", "v BINARY, k INT, _corrupt_record STRING", ['{"v":"YQ=x","k":1}']),
    ("binary: url-safe chars, value first", "v BINARY, k INT, _corrupt_record STRING", ['{"v":"-_8=","k":1}']),
    ("number with 1500 digits into DOUBLE", "d DOUBLE, k INT, _corrupt_record STRING", ['{"d":' + '1' * 1500 + ',"k":1}']),
    ("number with 1500 digits into STRING", "d STRING, k INT, _corrupt_record STRING", ['{"d":' + '1' * 1500 + ',"k":1}']),
    ("nesting depth 1100 in unknown field", "k INT, _corrupt_record STRING", ['{"k":1,"z":' + '[' * 1100 + ']' * 1100 + '}']),
    ("nesting depth 1100 in STRING field", "z STRING, k INT, _corrupt_record STRING", ['{"k":1,"z":' + '[' * 1100 + ']' * 1100 + '}']),
    ("string of 30M chars", "z STRING, k INT", ['{"k":1,"z":"' + 'x' * 30000000 + '"}']),
    ("number with 1000 digits, unknown field", "k INT, _corrupt_record STRING", ['{"k":1,"z":' + '1' * 1000 + '}']),
    ("number with 1001 digits, unknown field", "k INT, _corrupt_record STRING", ['{"k":1,"z":' + '1' * 1001 + '}']),
    ("decimal fraction with 1000 digits, unknown field", "k INT, _corrupt_record STRING", ['{"k":1,"z":0.' + '1' * 999 + '}']),
    ("decimal fraction with 1001 digits, unknown field", "k INT, _corrupt_record STRING", ['{"k":1,"z":0.' + '1' * 1000 + '}']),
    ("nesting depth 500 in unknown field", "k INT, _corrupt_record STRING", ['{"k":1,"z":' + '[' * 499 + ']' * 499 + '}']),
    ("nesting depth 501 in unknown field", "k INT, _corrupt_record STRING", ['{"k":1,"z":' + '[' * 500 + ']' * 500 + '}']),
    ("nesting depth 1000 in unknown field", "k INT, _corrupt_record STRING", ['{"k":1,"z":' + '[' * 999 + ']' * 999 + '}']),
    ("nesting depth 1001 in unknown field", "k INT, _corrupt_record STRING", ['{"k":1,"z":' + '[' * 1000 + ']' * 1000 + '}']),
    ("string of 20,000,000 chars", "z STRING, k INT", ['{"k":1,"z":"' + 'x' * 20000000 + '"}']),
    ("string of 20,000,001 chars", "z STRING, k INT", ['{"k":1,"z":"' + 'x' * 20000001 + '"}']),
    ("field name of 50,000 chars", "k INT, _corrupt_record STRING", ['{"k":1,"' + 'n' * 50000 + '":1}']),
    ("field name of 50,001 chars", "k INT, _corrupt_record STRING", ['{"k":1,"' + 'n' * 50001 + '":1}']),
    ("float double-rounding probe", "f FLOAT, d DOUBLE", ['{"f":1.000000178813934326171874999,"d":1.000000178813934326171874999}']),
]


def clip(v, n=300):
    """Shorten very long strings so results stay readable."""
    if isinstance(v, (str, bytes)) and len(v) > n:
        return "<%d chars: %r...>" % (len(v), v[:40])
    return v


def short_err(e):
    """First informative line of a (Py4J) exception: prefer the Spark error-class line."""
    txt = str(e)
    lines = [l.strip() for l in txt.split("\n") if l.strip()]
    for key in ("MALFORMED_RECORD", "SparkException", "AnalysisException", "Exception:"):
        for l in lines:
            if key in l and not l.startswith("at "):
                return type(e).__name__ + ": " + l[:400]
    return type(e).__name__ + ": " + (lines[0][:400] if lines else "")


def esc(s):
    """Escape text for a markdown table cell."""
    if s is None:
        return "∅"
    if isinstance(s, bytes):
        s = repr(s)[2:-1]
    s = s.replace("\\", "\\\\").replace("|", "\\|").replace("\n", "\\n").replace("\r", "\\r") \
        .replace("\t", "\\t").replace("\x00", "\\x00").replace("\x01", "\\x01")
    s = s.replace("`", "'")
    return "`" + s + "`" if s else "``"


def micros_to_iso(us):
    if us is None:
        return None
    try:
        dt = datetime.datetime(1970, 1, 1) + datetime.timedelta(microseconds=us)
        s = dt.strftime("%Y-%m-%dT%H:%M:%S")
        if dt.microsecond:
            s += (".%06d" % dt.microsecond).rstrip("0")
        return s + "Z"
    except OverflowError:
        return "micros=%d" % us


def render_sql(ddl):
    u = ddl.upper()
    if u.startswith("TIMESTAMP_NTZ") or u.startswith("DATE") or u.startswith("DECIMAL") \
            or u in ("BOOLEAN", "TINYINT", "SMALLINT", "INT", "BIGINT", "FLOAT", "DOUBLE"):
        return "cast(v as string) as r"
    if u == "TIMESTAMP":
        return "unix_micros(v) as r"
    if u == "BINARY":
        return "hex(v) as r"
    if u == "STRING":
        return "v as r"
    return "to_json(v, map('ignoreNullFields','false')) as r"


def fmt_result(ddl, r):
    if r is None:
        return None
    if ddl.upper() == "TIMESTAMP":
        return micros_to_iso(r)
    if ddl.upper() == "STRING":
        return json.dumps(r, ensure_ascii=False)
    if ddl.upper() == "BINARY":
        return "0x" + r
    return str(r)


class Oracle:
    def __init__(self):
        from pyspark.sql import SparkSession
        self.spark = (SparkSession.builder.master("local[1]")
                      .config("spark.ui.enabled", "false")
                      .config("spark.sql.shuffle.partitions", "1")
                      .config("spark.driver.memory", "1g")
                      .config("spark.sql.session.timeZone", "UTC")
                      .getOrCreate())
        self.spark.sparkContext.setLogLevel("ERROR")
        self.tmp = tempfile.mkdtemp(prefix="json_oracle_")
        self.n = 0

    def write_lines(self, lines):
        self.n += 1
        p = os.path.join(self.tmp, "in%05d.json" % self.n)
        with open(p, "wb") as f:
            f.write(b"\n".join(l if isinstance(l, bytes) else l.encode("utf-8") for l in lines))
            f.write(b"\n")
        return p

    def set_tz(self, tz):
        self.spark.conf.set("spark.sql.session.timeZone", tz)

    # -- per-type -----------------------------------------------------------
    def run_type(self, ddl, raws, vfirst=False):
        if vfirst:
            lines = ['{"v":%s,"k":%d}' % (raw, i) for i, raw in enumerate(raws)]
        else:
            lines = ['{"k":%d,"v":%s}' % (i, raw) for i, raw in enumerate(raws)]
        path = self.write_lines(lines)
        out = {raw: {"line": lines[i]} for i, raw in enumerate(raws)}
        for tz in TZS:
            self.set_tz(tz)
            try:
                df = self.spark.read.schema("k INT, v %s, _corrupt_record STRING" % ddl).json(path)
                rows = df.selectExpr("k", render_sql(ddl), "_corrupt_record").collect()
            except Exception as e:  # whole-read failure
                msg = str(e).split("\n")[0][:300]
                for raw in raws:
                    out[raw][tz] = {"error": msg}
                continue
            if len(rows) != len(raws):
                raise RuntimeError("row count mismatch for %s: %d vs %d" % (ddl, len(rows), len(raws)))
            for raw, row in zip(raws, rows):
                out[raw][tz] = {"k": row["k"], "r": fmt_result(ddl, row["r"]),
                                "corrupt": row["_corrupt_record"] is not None,
                                "corrupt_text": row["_corrupt_record"]}
        return [dict(raw=raw, **out[raw]) for raw in raws]

    # -- record-level ---------------------------------------------------------
    def run_record(self, schema, lines, mode=None):
        path = self.write_lines(lines)
        r = self.spark.read.schema(schema)
        if mode:
            r = r.option("mode", mode)
        try:
            df = r.json(path)
            rows = df.collect()
            cols = df.columns
            return {"rows": [[clip(row[c] if not isinstance(row[c], (list, dict)) and not hasattr(row[c], "asDict")
                                   else json.dumps(row[c], default=lambda o: o.asDict(recursive=True) if hasattr(o, "asDict") else str(o)))
                              for c in cols] for row in rows],
                    "cols": cols}
        except Exception as e:
            return {"error": short_err(e)}

    def sql_rows(self, q):
        try:
            return [list(r) for r in self.spark.sql(q).collect()]
        except Exception as e:
            return {"error": str(e).split("\n")[0][:300]}


def main():
    o = Oracle()
    spark = o.spark
    res = {"spark_version": spark.version}
    # relevant confs
    confs = {}
    for k in ["spark.sql.json.enablePartialResults", "spark.sql.json.enableExactStringParsing",
              "spark.sql.legacy.json.allowEmptyString.enabled", "spark.sql.legacy.timeParserPolicy",
              "spark.sql.jsonGenerator.ignoreNullFields", "spark.sql.caseSensitive",
              "spark.sql.json.enableDateTimeParsingFallback", "spark.sql.ansi.enabled",
              "spark.sql.timestampType", "spark.sql.mapKeyDedupPolicy",
              "spark.sql.json.filterPushdown.enabled"]:
        try:
            confs[k] = spark.conf.get(k)
        except Exception as e:
            confs[k] = "<unset: %s>" % str(e).split("\n")[0][:80]
    res["confs"] = confs

    # per-type
    res["types"] = []
    for ddl, raws in TYPE_CASES:
        print("type", ddl, file=sys.stderr)
        res["types"].append({"type": ddl, "cases": o.run_type(ddl, raws)})

    res["types_vfirst"] = []
    for ddl, raws in VFIRST_CASES:
        res["types_vfirst"].append({"type": ddl, "cases": o.run_type(ddl, raws, vfirst=True)})

    o.set_tz("UTC")
    # record-level
    res["records"] = []
    for label, schema, lines in RECORD_CASES:
        res["records"].append({"label": label, "schema": schema,
                               "lines": [clip(l if isinstance(l, str) else l.decode("latin-1")) for l in lines],
                               "result": o.run_record(schema, lines)})

    # modes
    mode_lines = ['{"a":1,"b":"ok"}', '{"a":"bad","b":"field-error"}', '{"a":2,"b":"lexical"',
                  '', '[{"a":3},{"a":"bad"}]', '7', '{"a":4,"b":"ok2"}']
    res["modes"] = {"lines": mode_lines}
    for mode in ["PERMISSIVE", "DROPMALFORMED", "FAILFAST"]:
        for schema in [S, "a INT, b STRING"]:
            res["modes"]["%s | %s" % (mode, schema)] = o.run_record(schema, mode_lines, mode)
    # FAILFAST with only good lines
    res["modes"]["FAILFAST good only"] = o.run_record("a INT, b STRING", ['{"a":1}', '', '{"a":2}'], "FAILFAST")

    # NOT NULL in user schema
    p = o.write_lines(['{"a":1,"b":"x"}', '{"b":"y"}', '{"a":null}', '{"a":"bad"}'])
    df = spark.read.schema("a INT NOT NULL, b STRING NOT NULL, s STRUCT<x:INT NOT NULL> NOT NULL").json(p)
    res["not_null"] = {"schema": df.schema.simpleString(),
                       "schema_json": df.schema.json(),
                       "rows": [str(r) for r in df.collect()]}

    # only _corrupt_record referenced
    p = o.write_lines(['{"a":1}', '{"a":"bad"}', '{"a":1'])
    try:
        rows = spark.read.schema(S).json(p).select("_corrupt_record").collect()
        res["only_corrupt_col"] = [str(r) for r in rows]
    except Exception as e:
        res["only_corrupt_col"] = "error: " + str(e).split("\n")[0][:300]
    try:
        rows = spark.read.schema(S).json(p).filter("_corrupt_record is not null").select("a", "_corrupt_record").collect()
        res["corrupt_filter"] = [str(r) for r in rows]
    except Exception as e:
        res["corrupt_filter"] = "error: " + str(e).split("\n")[0][:300]
    # corrupt record column with non-string type
    try:
        spark.read.schema("a INT, _corrupt_record INT").json(p).collect()
        res["corrupt_col_int"] = "ok"
    except Exception as e:
        res["corrupt_col_int"] = "error: " + str(e).split("\n")[0][:300]
    # count() on a file with a corrupt row
    res["count"] = spark.read.schema("a INT, b STRING").json(p).count()

    # count() behaviour: blank lines / corrupt lines
    p = o.write_lines(['{"a":1}', '', '   ', '{', '7', '{"a":"bad"}'])
    res["count_blank"] = {}
    for mode in ["PERMISSIVE", "DROPMALFORMED"]:
        try:
            res["count_blank"][mode] = spark.read.schema("a INT").option("mode", mode).json(p).count()
        except Exception as e:
            res["count_blank"][mode] = short_err(e)
    try:
        res["count_blank"]["FAILFAST"] = spark.read.schema("a INT").option("mode", "FAILFAST").json(p).count()
    except Exception as e:
        res["count_blank"]["FAILFAST"] = short_err(e)
    res["count_blank"]["PERMISSIVE collect"] = [str(r) for r in spark.read.schema("a INT").json(p).collect()]

    # column pruning: malformed-ness is judged only on the columns actually read
    p = o.write_lines(['{"a":"bad","b":"x"}', '{"a":1,"b":"y"', '{"a":2,"b":"z"}'])
    res["pruning"] = {}
    for label, mode, cols in [("PERMISSIVE select b,_corrupt_record", None, ["b", "_corrupt_record"]),
                              ("PERMISSIVE select a,_corrupt_record", None, ["a", "_corrupt_record"]),
                              ("PERMISSIVE select b", None, ["b"]),
                              ("DROPMALFORMED select b", "DROPMALFORMED", ["b"]),
                              ("DROPMALFORMED select a", "DROPMALFORMED", ["a"]),
                              ("FAILFAST select b", "FAILFAST", ["b"])]:
        try:
            r = spark.read.schema(S)
            if mode:
                r = r.option("mode", mode)
            res["pruning"][label] = [str(x) for x in r.json(p).select(*cols).collect()]
        except Exception as e:
            res["pruning"][label] = short_err(e)

    # map with non-string keys
    res["map_keys"] = {}
    p = o.write_lines(['{"m":{"1":"a","2":"b"}}', '{"m":{"x":"c"}}'])
    for ddl in ["MAP<INT,STRING>", "MAP<BIGINT,STRING>", "MAP<DATE,STRING>", "MAP<BINARY,STRING>",
                "MAP<BOOLEAN,STRING>", "MAP<STRUCT<a:INT>,STRING>", "MAP<VARCHAR(1),STRING>",
                "MAP<CHAR(1),STRING>"]:
        try:
            df = spark.read.schema("m %s, _corrupt_record STRING" % ddl).json(p)
            rows = df.selectExpr("to_json(m)", "_corrupt_record").collect()
            res["map_keys"][ddl] = [str(r) for r in rows]
        except Exception as e:
            res["map_keys"][ddl] = "error: " + type(e).__name__ + ": " + str(e).strip().split("\n")[0][:300]
    # reading with a schema containing map with non-string key via from_json (for contrast)
    res["from_json_map_int_key"] = o.sql_rows("""select from_json('{"1":"a"}', 'map<int,string>')""")

    # duplicate map key: element_at
    p = o.write_lines(['{"m":{"a":1,"a":2}}'])
    try:
        df = spark.read.schema("m MAP<STRING,INT>").json(p)
        res["map_dup"] = [str(r) for r in df.selectExpr("to_json(m)", "m['a']", "map_keys(m)", "size(m)").collect()]
    except Exception as e:
        res["map_dup"] = "error: " + str(e).split("\n")[0][:300]

    # case sensitivity conf
    p = o.write_lines(['{"A":1,"a":2}', '{"A":3}'])
    res["case"] = {}
    for cs in ["false", "true"]:
        spark.conf.set("spark.sql.caseSensitive", cs)
        res["case"][cs] = o.run_record("a INT, _corrupt_record STRING", ['{"A":1}', '{"A":1,"a":2}'])
        res["case"][cs + " schema A,a"] = o.run_record("A INT, a INT", ['{"A":1,"a":2}'])
    spark.conf.set("spark.sql.caseSensitive", "false")

    # multiLine=false vs pretty-printed objects
    res["pretty_object_line_mode"] = o.run_record(S, ['{', '"a":1', '}'])

    # schema-less read of a corrupt line (inference) for reference
    p = o.write_lines(['{"a":1}', '{"a":'])
    try:
        df = spark.read.json(p)
        res["inferred"] = {"schema": df.schema.simpleString(), "rows": [str(r) for r in df.collect()]}
    except Exception as e:
        res["inferred"] = "error: " + str(e).split("\n")[0][:300]

    # ---------------- writer ----------------
    res["writer"] = {}
    wq = """select
      cast(1 as tinyint) as tiny, cast(-2 as smallint) as small, 3 as i, 9223372036854775807 as big,
      cast('NaN' as float) as f_nan, cast('Infinity' as float) as f_inf, cast('-Infinity' as double) as d_ninf,
      cast('NaN' as double) as d_nan, cast(0.1 as float) as f_01, cast('-0.0' as double) as d_negzero, cast(1.1 as float) as f_11, 0.1D + 0.2D as d_sum, 1e-5D as d_1em5, 0.001D as d_0001, 1e21D as d_1e21, 12345678.9D as d_12345678_9,
      1e20D as d_1e20, 1e-7D as d_1em7, 1.0D as d_1, 123456789.0D as d_big, 1e7D as d_1e7, cast(1e7 as float) as f_1e7,
      cast(1.5 as decimal(38,18)) as dec_38_18, cast(0.0000000001 as decimal(20,10)) as dec_tiny,
      cast(0 as decimal(10,2)) as dec_zero, cast(100 as decimal(10,0)) as dec_100,
      cast(-12.345 as decimal(5,3)) as dec_neg,
      X'68656C6C6F' as bin, X'' as bin_empty, X'FBFF' as bin_ff,
      true as bool, 'a"b\\\\c/\u00e9\u0001\n' as str, '' as str_empty,
      cast(null as int) as null_int,
      date'2020-01-01' as dt, date'0001-01-01' as dt_min, date'-0044-03-15' as dt_bc, cast('+10000-01-01' as date) as dt_big,
      timestamp'2020-01-01 00:00:00 UTC' as ts_whole, timestamp'2020-01-01 00:00:00.5 UTC' as ts_half,
      timestamp'2020-01-01 00:00:00.123456 UTC' as ts_micros, timestamp'1900-01-01 00:00:00 UTC' as ts_1900,
      timestamp'0001-01-01 00:00:00 UTC' as ts_min, timestamp'2020-07-01 12:00:00.000100 UTC' as ts_100us,
      timestamp_micros(253402300800000000) as ts_y10000, timestamp_micros(-62198755200000000) as ts_y_minus1,
      timestamp'2020-01-01 00:00:00.999999 UTC' as ts_999999,
      timestamp_ntz'2020-01-01 00:00:00' as ntz_whole, timestamp_ntz'2020-01-01 00:00:00.123456' as ntz_micros,
      timestamp_ntz'2020-01-01 00:00:00.5' as ntz_half,
      map('a', 1, 'b', cast(null as int)) as m_str, map(1, 'x', 2, 'y') as m_int,
      map(date'2020-01-01', 1) as m_date, map(true, 1) as m_bool,
      array(1, cast(null as int)) as arr, array() as arr_empty,
      named_struct('x', 1, 'y', cast(null as string)) as st,
      array(named_struct('x', cast(null as int))) as arr_st,
      cast(null as struct<x:int>) as null_struct,
      array(cast('NaN' as double), cast('Infinity' as double)) as arr_nan"""
    for tz in TZS:
        o.set_tz(tz)
        for opts_name, opts in [("default", {}), ("ignoreNullFields=false", {"ignoreNullFields": "false"})]:
            outp = os.path.join(o.tmp, "w_%s_%s" % (tz.replace("/", "_"), opts_name.replace("=", "_")))
            try:
                w = spark.sql(wq).coalesce(1).write
                for k, v in opts.items():
                    w = w.option(k, v)
                w.json(outp)
                txt = ""
                for fn in sorted(os.listdir(outp)):
                    if fn.startswith("part-"):
                        with open(os.path.join(outp, fn), encoding="utf-8") as f:
                            txt += f.read()
                res["writer"]["%s | %s" % (tz, opts_name)] = txt
            except Exception as e:
                res["writer"]["%s | %s" % (tz, opts_name)] = "error: " + str(e).split("\n")[0][:300]
    o.set_tz("UTC")
    # roundtrip: what the writer produces reads back identically?
    res["writer_roundtrip"] = {}
    for tz in TZS:
        o.set_tz(tz)
        outp = os.path.join(o.tmp, "rt_%s" % tz.replace("/", "_"))
        df = spark.sql("select timestamp'2020-01-01 00:00:00.123456 UTC' as ts, timestamp_ntz'2020-01-01 00:00:00.123456' as ntz, cast('NaN' as double) as d, X'FF00' as b")
        df.coalesce(1).write.json(outp)
        back = spark.read.schema("ts TIMESTAMP, ntz TIMESTAMP_NTZ, d DOUBLE, b BINARY").json(outp)
        res["writer_roundtrip"][tz] = [str(r) for r in back.selectExpr("unix_micros(ts)", "cast(ntz as string)", "cast(d as string)", "hex(b)").collect()]
    o.set_tz("UTC")

    # to_json for comparison (same generator)
    res["to_json"] = o.sql_rows("""select to_json(named_struct('d', cast('NaN' as double), 'ts', timestamp'2020-01-01 00:00:00 UTC', 'b', X'6869'))""")

    ver = spark.version
    with open(os.path.join(HERE, "results-%s.json" % ver), "w") as f:
        json.dump(res, f, indent=1, ensure_ascii=False)
    with open(os.path.join(HERE, "tables-%s.md" % ver), "w") as f:
        f.write(to_markdown(res))
    shutil.rmtree(o.tmp, ignore_errors=True)
    spark.stop()
    print("wrote results-%s.json and tables-%s.md" % (ver, ver), file=sys.stderr)


def cell_tz(c):
    if c is None:
        return "?"
    if "error" in c:
        return "ERROR: " + c["error"][:120]
    r = "null" if c["r"] is None else c["r"]
    return r


def to_markdown(res):
    out = []
    out.append("# Spark %s JSON reader oracle tables\n" % res["spark_version"])
    out.append("Confs: " + ", ".join("`%s=%s`" % kv for kv in res["confs"].items()) + "\n")
    out.append("Legend: each input line is `{\"k\":<n>,\"v\":<JSON input>}` read with schema "
               "`k INT, v <TYPE>, _corrupt_record STRING`. Result column shows `v` "
               "(TIMESTAMP as the UTC instant, others as `cast(v as string)`, BINARY as hex, "
               "STRING as JSON-quoted, complex as `to_json`). `corrupt`: `_corrupt_record` was set "
               "(`yes+k` = corrupt but the other field `k` was kept = partial result, "
               "`yes` = whole row null).\n")
    for t in res["types"]:
        out.append("\n### %s\n" % t["type"])
        out.append("| JSON input (v) | UTC session | America/New_York session | corrupt |")
        out.append("|---|---|---|---|")
        for c in t["cases"]:
            u, n = c.get("UTC"), c.get("America/New_York")
            if u and "error" not in u:
                corrupt = ("yes+k" if u["k"] is not None else "yes") if u["corrupt"] else "no"
                if n and "error" not in n and n["corrupt"] != u["corrupt"]:
                    corrupt += " (NY: %s)" % ("yes" if n["corrupt"] else "no")
            else:
                corrupt = "n/a"
            ur, nr = cell_tz(u), cell_tz(n)
            out.append("| %s | %s | %s | %s |" % (esc(c["raw"]), esc(ur), esc(nr) if nr != ur else "same", corrupt))
    out.append("\n## Value-first cases: line is {\"v\":<input>,\"k\":<n>} (shows whether k survives)\n")
    for t in res.get("types_vfirst", []):
        out.append("\n### %s (value first)\n" % t["type"])
        out.append("| JSON input (v) | result | corrupt |")
        out.append("|---|---|---|")
        for c in t["cases"]:
            u = c.get("UTC")
            corrupt = ("yes+k" if u["k"] is not None else "yes") if u["corrupt"] else "no"
            out.append("| %s | %s | %s |" % (esc(c["raw"]), esc(cell_tz(u)), corrupt))
    out.append("\n## Record-level cases (UTC)\n")
    out.append("| case | schema | input lines | rows returned |")
    out.append("|---|---|---|---|")
    for r in res["records"]:
        res_ = r["result"]
        if "error" in res_:
            rows = "ERROR " + res_["error"]
        else:
            rows = " ; ".join("(" + ", ".join("null" if v is None else repr(v) for v in row) + ")" for row in res_["rows"]) or "(no rows)"
        out.append("| %s | `%s` | %s | %s |" % (r["label"], r["schema"],
                                               " ⏎ ".join(esc(l) for l in r["lines"]), esc(rows)))
    out.append("\n## Parse modes\n")
    out.append("Input lines: " + " ⏎ ".join(esc(l) for l in res["modes"]["lines"]) + "\n")
    for k, v in res["modes"].items():
        if k == "lines":
            continue
        if "error" in v:
            out.append("- **%s** → %s" % (k, esc(v["error"])))
        else:
            out.append("- **%s** → %s" % (k, esc(" ; ".join(str(tuple(row)) for row in v["rows"]))))
    out.append("\n## Misc\n")
    for k in ["not_null", "only_corrupt_col", "corrupt_filter", "corrupt_col_int", "count", "count_blank", "pruning", "map_keys",
              "from_json_map_int_key", "map_dup", "case", "pretty_object_line_mode", "inferred",
              "writer_roundtrip", "to_json"]:
        out.append("- **%s**: `%s`" % (k, json.dumps(res.get(k), ensure_ascii=False)))
    out.append("\n## Writer output (df.write.json)\n")
    for k, v in res["writer"].items():
        out.append("**%s**\n\n```\n%s```\n" % (k, v))
    return "\n".join(out) + "\n"


def diff(a_path, b_path):
    a = json.load(open(a_path))
    b = json.load(open(b_path))
    print("# diff %s vs %s" % (a["spark_version"], b["spark_version"]))
    for k in a["confs"]:
        if a["confs"][k] != b["confs"].get(k):
            print("conf %s: %s | %s" % (k, a["confs"][k], b["confs"].get(k)))
    bt = {t["type"]: {c["raw"]: c for c in t["cases"]} for t in b["types"]}
    for t in a["types"]:
        for c in t["cases"]:
            o = bt.get(t["type"], {}).get(c["raw"])
            for tz in TZS:
                x, y = c.get(tz), (o or {}).get(tz)
                if x is None or y is None:
                    continue
                x2 = {kk: vv for kk, vv in x.items() if kk != "corrupt_text"}
                y2 = {kk: vv for kk, vv in y.items() if kk != "corrupt_text"}
                if x2 != y2:
                    print("%s %s [%s]: %s | %s" % (t["type"], c["raw"], tz, x2, y2))
    br = {r["label"]: r for r in b["records"]}
    for r in a["records"]:
        if r["result"] != br.get(r["label"], {}).get("result"):
            print("record %s: %s | %s" % (r["label"], r["result"], br.get(r["label"], {}).get("result")))
    for k in a:
        if k in ("types", "records", "spark_version", "confs"):
            continue
        if a[k] != b.get(k):
            print("%s:\n  A=%s\n  B=%s" % (k, json.dumps(a[k], ensure_ascii=False)[:3000],
                                          json.dumps(b.get(k), ensure_ascii=False)[:3000]))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--diff":
        diff(sys.argv[2], sys.argv[3])
    else:
        main()
