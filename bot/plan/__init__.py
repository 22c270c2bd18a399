"""What a review concludes: the checklist and the approval, the author's evidence, validation queries, the
rollback plan and the monitoring checklist. Pure; imports every engine layer below it (model, sql,
frameworks, references, probe facts, rules), never the review, the renderers or the app.
"""
