// R15: a consumer may not copy the data it is given, or pass it to a third party, without the
// population-data agency's permission (draft circular Điều 3.4). The term is part of every
// agreement: the requester accepts it, by its id, when it submits the request, and the agreement
// carries the accepted term. A new wording gets a new id; requests then accept the new one.
export interface OnwardSharingTerm {
  id: string;
  text: string;
  textVi: string;
}

export const ONWARD_SHARING_TERM: OnwardSharingTerm = Object.freeze({
  id: 'onward-sharing/2021-1',
  text:
    'The requester does not copy the information it receives from the population database, nor pass it to a third party, ' +
    'unless the competent population-data agency permits it in writing; a replica it keeps is held under this agreement and ' +
    'for its purposes only.',
  textVi:
    'Bên khai thác không được sao chép, cung cấp cho bên thứ ba dữ liệu được cung cấp từ Cơ sở dữ liệu quốc gia về dân cư, ' +
    'trừ trường hợp được cơ quan quản lý Cơ sở dữ liệu quốc gia về dân cư có thẩm quyền cho phép.',
});

/** The term as an agreement carries it: which wording was accepted, and when. */
export interface AcceptedTerm {
  id: string;
  acceptedAt: Date;
}

/** A problem when `accepted` is not the current term's id, else null. */
export function onwardSharingProblem(accepted: unknown): string | null {
  if (accepted === ONWARD_SHARING_TERM.id) return null;
  const said = accepted === undefined ? 'does not accept it' : `accepts ${JSON.stringify(accepted)}`;
  return `acceptsOnwardSharingTerm must be "${ONWARD_SHARING_TERM.id}", the onward-sharing term every agreement carries (R15: "${ONWARD_SHARING_TERM.text}"); the request ${said}`;
}
