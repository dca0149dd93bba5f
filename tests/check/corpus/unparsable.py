# Not Python at all: reported once, at the error.  `# expect: CODE` marks each line reported.
def initialize(context)  # expect: PT000
    pass
