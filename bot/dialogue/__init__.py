"""The conversation's moves that rules alone get wrong: questions with choices and her answers."""
