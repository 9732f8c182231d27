// The gateway's reads of the population store: a citizen by personal id, and whether a number is
// anyone's current phone number (the id-card register's `phoneNumber`, hub/citizen/fields.ts).
import type { PopulationStore } from '../store/population-store.ts';
import type { SearchableField } from '../store/stored-citizen.ts';
import type { PhoneRecords } from './sms-lookup.ts';

/** In the stored layout (stored-citizen.ts); a store of an earlier layout needs `dancu store migrate` first. */
const PHONE_VALUE: SearchableField = 'phoneNumber';

/** Reads through the store; the index on the number serves MongoDB (FerretDB scans, as it does for every non-`_id` filter). */
export async function storePhoneRecords(store: PopulationStore, log: (line: string) => void = () => undefined): Promise<PhoneRecords> {
  const citizens = store.citizens;
  await citizens
    .createIndex({ [PHONE_VALUE]: 1 }, { name: 'phone_number' })
    .catch((error: unknown) => log(`no index on ${PHONE_VALUE} (${String(error)}); the number is found by a scan`));
  return {
    readCitizen: (personalId) => store.readCitizen(personalId),
    isRegistered: async (phoneNumber) => (await citizens.findOne({ [PHONE_VALUE]: phoneNumber }, { projection: { _id: 1 } })) !== null,
  };
}
