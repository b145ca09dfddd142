package io.flotilla.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.flotilla.check.RegisterModel.Cas;
import io.flotilla.check.RegisterModel.Input;
import io.flotilla.check.RegisterModel.Output;
import io.flotilla.check.RegisterModel.Read;
import io.flotilla.check.RegisterModel.Write;
import java.util.List;
import org.junit.jupiter.api.Test;

class JepsenLogParserTest {

  @Test
  void parsesEveryKindOfLine() {
    List<String> log =
        List.of(
            "INFO  jepsen.util - 0\t:invoke\t:read\tnil",
            "INFO  jepsen.util - 1\t:invoke\t:write\t3",
            "INFO  jepsen.util - 2   :invoke :cas    [3 4]", // tabs expanded, as in etcd_101.log
            "INFO  jepsen.util - 0\t:ok\t:read\tnil",
            "INFO  jepsen.util - 1\t:info\t:write\t:timed-out",
            "INFO  jepsen.util - 2   :fail   :cas    [3 4]",
            "",
            "INFO  jepsen.util - 0\t:invoke\t:read\tnil",
            "INFO  jepsen.util - 0\t:fail\t:read\t:timed-out",
            "INFO  jepsen.util - 6\t:invoke\t:cas\t[0 1]",
            "INFO  jepsen.util - 0\t:invoke\t:read\tnil",
            "INFO  jepsen.util - 0\t:ok\t:read\t3",
            "INFO  jepsen.util - 7\t:invoke\t:read\tnil");
    List<Operation<Input, Output>> expected =
        List.of(
            new Operation<>(0, new Read(), Output.read(null), 1, 4),
            Operation.unknown(1, new Write(3), 2),
            new Operation<>(2, new Cas(3, 4), Output.failure(), 3, 6),
            new Operation<>(0, new Read(), Output.read(3), 11, 12),
            Operation.unknown(6, new Cas(0, 1), 10));
    assertEquals(expected, JepsenLogParser.parse(log));
  }

  @Test
  void rejectsWhatItDoesNotUnderstand() {
    assertThrows(
        IllegalArgumentException.class,
        () -> JepsenLogParser.parse(List.of("INFO  jepsen.util - 0\t:invoke\t:append\t1")));
    assertThrows(
        IllegalArgumentException.class,
        () -> JepsenLogParser.parse(List.of("INFO  jepsen.util - 0\t:ok\t:read\t1")));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            JepsenLogParser.parse(
                List.of(
                    "INFO  jepsen.util - 0\t:invoke\t:read\tnil",
                    "INFO  jepsen.util - 0\t:invoke\t:read\tnil")));
    IllegalArgumentException tooLarge =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                JepsenLogParser.parse(
                    List.of("", "INFO  jepsen.util - 0\t:invoke\t:write\t99999999999")));
    assertEquals(
        "line 2: bad value (For input string: \"99999999999\"): "
            + "INFO  jepsen.util - 0\t:invoke\t:write\t99999999999",
        tooLarge.getMessage());
  }
}
