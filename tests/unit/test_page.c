/* Unit tests: HTML escaping, language choice, access-log paths. */
#include <stdlib.h>

#include "web/http.h"
#include "web/page.h"
#include "t.h"

int
main(void)
{
	static const struct { const char *in, *want; } esc[] = {
		{ "张三", "张三" },
		{ "<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;" },
		{ "a&b \"q\" 'x'", "a&amp;b &quot;q&quot; &#39;x&#39;" },
		{ "bad\xff" "byte", "bad\xef\xbf\xbd" "byte" },
		{ "ctl\x01x", "ctl\xef\xbf\xbdx" },
		{ "\xe5\xbc", "\xef\xbf\xbd\xef\xbf\xbd" },
	};
	static const struct { const char *q, *al; enum page_lang want; } lang[] = {
		{ NULL, NULL, PAGE_ZH },
		{ "en", NULL, PAGE_EN },
		{ "zh", "en-US", PAGE_ZH },
		{ NULL, "en-US,en;q=0.9", PAGE_EN },
		{ NULL, "zh-CN,zh;q=0.9,en;q=0.8", PAGE_ZH },
		{ NULL, "fr-FR, en;q=0.5", PAGE_EN },
		{ NULL, "fr-FR", PAGE_ZH },
		{ NULL, "english", PAGE_ZH },
	};
	static const struct { const char *in, *want; } lp[] = {
		{ "/c/2024-7K3M-9Q2D-XW8P-4HJN", "/c/2024-7K3M-9Q2D-XW8P-4HJN" },
		{ "/c/350102198001011234", "/c/[masked]" },
		{ "/c/35010219800101123X/x", "/c/[masked]/x" },
		{ "/a b\n\"", "/a%20b%0A%22" },
		{ "/\xe5\xbc\xa0", "/%E5%BC%A0" },
	};
	size_t i;
	char out[256];

	for (i = 0; i < sizeof(esc) / sizeof(esc[0]); i++) {
		struct buf b;

		buf_init(&b);
		page_esc(&b, esc[i].in);
		T_STREQ(b.data, esc[i].want, "page_esc row %zu", i);
		buf_free(&b);
	}
	for (i = 0; i < sizeof(lang) / sizeof(lang[0]); i++)
		T_OK(page_lang(lang[i].q, lang[i].al) == lang[i].want,
		    "page_lang row %zu", i);
	for (i = 0; i < sizeof(lp) / sizeof(lp[0]); i++) {
		http_log_path(lp[i].in, out);
		T_STREQ(out, lp[i].want, "http_log_path row %zu", i);
	}
	{
		char *big = malloc(5000);

		memset(big, 'a', 4999);
		big[4999] = '\0';
		http_log_path(big, out);
		T_OK(strlen(out) <= 203, "http_log_path bounds a long path");
		free(big);
	}
	return t_done();
}
