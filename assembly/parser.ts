export function parserPlaceholder(): i32 { return 0; }
