export function slotsPlaceholder(): i32 { return 0; }
