/* Keyword lists CodeBLEU weights in its weighted n-gram match: the reference's for Java, C# and
 * Python, each language's specification for the others. */
#ifndef CLM_EVAL_CODEBLEU_KEYWORDS_H
#define CLM_EVAL_CODEBLEU_KEYWORDS_H

/* The NULL-terminated keyword list of a language of CLM_CODEBLEU_LANGUAGES; NULL for others. */
const char *const *clm_codebleu_keywords(const char *lang);

#endif
