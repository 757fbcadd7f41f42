"""Documents sent upward: the consolidated period report and the inspection's conclusion notice.

`content` and `inspection_notice` gather the data (pure of layout); `documents` renders it with a
docxtpl template the office can replace (`templates/`, rebuilt by `build_templates`).
"""
