/** Shared input pieces and shapes of capacity (seed 000's capacity units). */
import { Type } from 'typebox'

/** A capacity unit type's code: `CU`, `NUIPPORTS`, … (upper case letters and digits, 1–32). */
export const UnitTypeCode = Type.String({ minLength: 1, maxLength: 32, pattern: '^[A-Za-z][A-Za-z0-9_]*$' })

export const CapacityKind = Type.Union([Type.Literal('available'), Type.Literal('consumed')])
export type CapacityKind = 'available' | 'consumed'

export interface CapacityUnitType {
  code: string
  description: string
}

/** One entry of capacity, as seed 000's `listCapacity` shows it. */
export interface CapacityEntry {
  amount: number
  capacityunittype: string
  name: string
  description: string
}

export interface CustomerCapacity {
  customerguid: string
  capacityavailable: CapacityEntry[]
  capacityconsumed: CapacityEntry[]
}
