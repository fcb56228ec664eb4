/*
 * i18n.h - the operator's language: gettext, text domain "hourseal".
 *
 * hourseal-issuer speaks the language of its locale's LC_MESSAGES
 * (LANG=zh_CN.UTF-8: Chinese, po/zh_CN.po; anything else: English). The
 * library's messages go through the same catalog, so an error an issuer
 * command prints reads in one language. Only LC_MESSAGES and LC_CTYPE
 * follow the environment: LC_NUMERIC, LC_COLLATE and LC_TIME stay "C", so
 * notes, JSON, CSV and PDFs are the same bytes in every locale. A process
 * that never calls i18n_init (the verifier, the issuer's web service once
 * it serves) prints the English text exactly as written.
 *
 * How to add a message (docs/i18n.md says it at length):
 *   - hs_fail, hs_errprefix and cmd_say translate their format: write the
 *     English literal as before, nothing to wrap;
 *   - any other text a person reads (printf, fputs, a usage line):
 *     _("...") where it is printed, N_("...") where a literal is stored
 *     (a table, a static) and _(p) where the stored text is printed;
 *   - then `make po` and translate the new entries in po/zh_CN.po (the
 *     test e2e_i18n fails while any is untranslated).
 * Keep field names, option names, file formats and numbers verbatim in a
 * translation: "id_number: required" -> "id_number: 必填".
 */
#ifndef HS_CORE_I18N_H
#define HS_CORE_I18N_H

#include <libintl.h>

#define HS_TEXTDOMAIN "hourseal"

/* The library names its domain: it translates whatever textdomain the
 * program chose. */
#define _(s) dgettext(HS_TEXTDOMAIN, s)
#define N_(s) s

/*
 * Sets LC_MESSAGES and LC_CTYPE from the environment (LC_NUMERIC and the
 * rest stay "C") and binds the domain to the catalogs found first in
 * $HOURSEAL_LOCALEDIR, beside the binary (the build tree: DIR/locale),
 * PREFIX/share/locale for an installed PREFIX/bin/x, or HS_LOCALEDIR.
 * A Chinese LANG whose locale is not installed (no locale-gen) still
 * gets Chinese: the language is kept through LANGUAGE over C.UTF-8.
 */
void i18n_init(void);

/* Puts messages back to the untranslated English (LC_MESSAGES "C"): the
 * issuer's web service does so before it answers requests, whose pages
 * choose their language per request. */
void i18n_off(void);

#endif
