/** @module Route 53 hosted zone ids, apart from the SDK so that config checks them without loading it. */

/** Route 53 zone ids: upper-case letters and digits, e.g. Z0123456789ABCDEFGHIJ (the `/hostedzone/` prefix is accepted). */
export const ZONE_ID = /^(?:\/hostedzone\/)?([A-Z0-9]{1,32})$/;
