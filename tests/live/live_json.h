/* SPDX-License-Identifier: Apache-2.0 */
/* live_json.h - the little JSON reading the live tests need to pick falcod's alerts apart. */
#ifndef LIVE_JSON_H
#define LIVE_JSON_H

/* Skips one JSON value starting at p (string, number, literal, object or array); returns the
 * byte after it. */
const char *live_json_skip(const char *p);
/* Skips spaces. */
const char *live_json_ws(const char *p);

#endif /* LIVE_JSON_H */
