// The .proto the protobuf tests encode real frames with (protobufjs, in Node, where its generated code may run).
import protobuf from 'protobufjs';

export const MARKET_PROTO = `syntax = "proto3";
package market;

enum Side {
  SIDE_UNSPECIFIED = 0;
  BUY = 1;
  SELL = 2;
}

message Level {
  double price = 1;
  sint64 size = 2;
}

message Trade {
  string symbol = 1;
  int64 id = 2;
  double price = 3;
  Side side = 4;
  repeated int32 flags = 5;
  repeated Level levels = 6;
  bytes raw = 7;
  map<string, int64> totals = 8;
  oneof payload {
    string note = 9;
    Level best = 10;
  }
  uint64 big = 11;
  fixed32 f32 = 12;
  sfixed64 sf64 = 13;
  float ratio = 14;
  bool live = 15;
  repeated string tags = 16;
  map<int32, Level> by_id = 17;
  string event = 18;
  Trade parent = 19;
  sint32 delta = 20;
  optional int32 maybe = 21;
}

// A later version of Level: the decoder built from the earlier one meets fields it does not know.
message LevelV2 {
  double price = 1;
  sint64 size = 2;
  string venue = 3;
  fixed64 seq = 4;
}
`;

export const market = protobuf.parse(MARKET_PROTO, { keepCase: true }).root;
export const Trade = market.lookupType('market.Trade');
export const Level = market.lookupType('market.Level');
export const LevelV2 = market.lookupType('market.LevelV2');

export function encodeAs(type: protobuf.Type, value: Record<string, unknown>): Uint8Array {
  return type.encode(type.fromObject(value)).finish();
}

/** A trade with every kind of field. */
export const TRADE = {
  symbol: 'BTC-USD',
  id: '9007199254740993',
  price: 101.25,
  side: 'SELL',
  flags: [1, 2, 300],
  levels: [
    { price: 100.5, size: -3 },
    { price: 100.75, size: 12 },
  ],
  raw: new Uint8Array([0xde, 0xad, 0xbe, 0xef]),
  totals: { BTC: '5', ETH: '-7' },
  best: { price: 99.5, size: 1 },
  big: '18446744073709551615',
  f32: 4000000000,
  sf64: '-2',
  ratio: 0.5,
  live: true,
  tags: ['spot', 'fast'],
  by_id: { 7: { price: 1, size: 2 } },
  event: 'fill',
  parent: { symbol: 'BTC-USD', id: '-5' },
  delta: -17,
  maybe: 0,
};
