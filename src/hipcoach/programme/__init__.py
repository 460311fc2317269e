"""The training programme: safety screen, onboarding, progression engine, plans, sessions.

A UI-independent service layer used by the CLI and the web app; see docs/programme.md.
Pure rules live in `tracks`, `progression`, `outcomes`, `safety`, `questions` and
`measures`; the modules that read and write the database are `people`, `screening`,
`onboarding`, `planner`, `sessions` and `history`.
"""
